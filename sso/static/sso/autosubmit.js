// The SAML HTTP-POST binding: submit the message form as soon as the page is read.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) form.submit();
});
