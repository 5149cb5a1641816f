"""The accessible-form plumbing every portal form shares: each input names its hint
(`<auto_id>_helptext`) and its error (`<auto_id>_error`) in `aria-describedby` and says when
it is invalid (`aria-invalid`). `core/templates/core/_field.html` gives the hint and the error
those ids; `core/_error_summary.html` lists a failed form's problems, each linking to its
input."""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField


class AccessibleBoundField(BoundField):
    """A field whose input names its hint and its error (`aria-describedby`) and says when
    it is invalid, so that screen readers read them with the input."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.use_fieldset:
            # A group of choices: its fieldset names the hint and error (core/_field.html),
            # so a screen reader reads them once, not with every choice.
            return attrs
        described = []
        if self.help_text:
            described.append(f"{self.auto_id}_helptext")
        if self.errors:
            described.append(f"{self.auto_id}_error")
            attrs["aria-invalid"] = "true"
        if described and self.auto_id:
            attrs["aria-describedby"] = " ".join(described)
        return attrs


class PortalForm(forms.Form):
    """The base of a portal page's form. Django's own forms (`AuthenticationForm`,
    `SetPasswordForm`, ...) get the same by setting `bound_field_class = AccessibleBoundField`."""

    bound_field_class = AccessibleBoundField
