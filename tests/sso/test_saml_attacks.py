"""Attacks on the SAML ACS, each tried for real with a response the pysaml2 IdP mints (then
altered as an attacker would): every one is refused, nobody is signed in, nobody is created,
and the refusal is audited with its reason."""

from __future__ import annotations

import datetime
import re

import pytest
from django_tenants.utils import schema_context
from lxml import etree

from tenant_apps.people.models import User
from tests.sso.conftest import failures, provider_make
from tests.sso.idps.pysaml2_idp import SAML_NS, Pysaml2Idp

LOGIN = "/accounts/login/"


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def assert_refused(sign_in, answer, tenant, code: str, reason: str = "") -> dict:
    """Refused: back on the login page, no session, nobody created, one audit event."""
    assert answer.status_code == 302
    assert answer["Location"] == LOGIN
    assert sign_in.signed_in_user_id() is None
    with schema_context(tenant.schema):
        assert not User.objects.filter(email__endswith="corp.test").exists()
    entries = failures(tenant.schema)
    assert [entry["code"] for entry in entries] == [code], entries
    assert reason in entries[0]["reason"]
    assert re.fullmatch(r"SSO-[0-9A-F]{8}", entries[0]["reference"])
    return entries[0]


def test_a_tampered_response_is_refused(sign_in, tenant_a):
    xml = sign_in.mint(sign_in.start(), name_id="pat@corp.test")
    tampered = xml.replace(">Jones<", ">Smith<")
    assert tampered != xml
    answer = sign_in.post(tampered)
    assert_refused(sign_in, answer, tenant_a, "sso_signature_invalid", "does not match")


def test_an_unsigned_assertion_in_a_signed_response_is_refused(sign_in, tenant_a):
    xml = sign_in.mint(sign_in.start(), sign_response=True, sign_assertion=False)
    answer = sign_in.post(xml)
    assert_refused(sign_in, answer, tenant_a, "sso_signature_invalid", "not signed")


def test_an_unsigned_response_is_refused(sign_in, tenant_a, provider):
    provider.saml_want_assertions_signed = False
    provider.save()
    xml = sign_in.mint(sign_in.start(), sign_response=False, sign_assertion=False)
    answer = sign_in.post(xml)
    assert_refused(sign_in, answer, tenant_a, "sso_signature_invalid", "not signed at all")


def _wrap(xml: str, evil_name_id: str, *, hide_in_extensions: bool) -> str:
    """Signature wrapping: the signed assertion stays (so its signature verifies), and an
    unsigned copy naming someone else is put where an SP might read it."""
    document = etree.fromstring(xml.encode())
    signed = document.find("saml:Assertion", SAML_NS)
    evil = etree.fromstring(etree.tostring(signed))
    for signature in evil.findall("ds:Signature", SAML_NS):
        evil.remove(signature)
    evil.set("ID", "id-evil-" + signed.get("ID"))
    evil.find("saml:Subject/saml:NameID", SAML_NS).text = evil_name_id
    if hide_in_extensions:
        extensions = etree.SubElement(document, f"{{{SAML_NS['samlp']}}}Extensions")
        document.remove(signed)
        extensions.append(signed)
        document.insert(2, extensions)
        document.append(evil)
    else:
        signed.addprevious(evil)
    return etree.tostring(document).decode()


@pytest.mark.parametrize("hide_in_extensions", [False, True], ids=["beside", "extensions"])
def test_signature_wrapping_is_refused(sign_in, tenant_a, make_person, hide_in_extensions):
    boss = make_person(email="boss@alpha.example.com")
    xml = sign_in.mint(sign_in.start(), sign_response=False, sign_assertion=True)
    answer = sign_in.post(_wrap(xml, boss.email, hide_in_extensions=hide_in_extensions))
    assert_refused(sign_in, answer, tenant_a, "sso_response_invalid")


def test_signed_response_wrapping_an_unsigned_assertion_is_refused(sign_in, tenant_a, make_person):
    """The other way round: the response is signed, the assertion swapped for one naming
    someone else breaks the response's signature."""
    boss = make_person(email="boss@alpha.example.com")
    xml = sign_in.mint(sign_in.start(), sign_response=True, sign_assertion=False)
    swapped = xml.replace(">pat@corp.test<", f">{boss.email}<")
    answer = sign_in.post(swapped)
    assert_refused(sign_in, answer, tenant_a, "sso_signature_invalid")


def test_an_assertion_signed_by_another_key_is_refused(sign_in, tenant_a, rogue_keys):
    xml = sign_in.mint(sign_in.start(), signing_keys=rogue_keys)
    answer = sign_in.post(xml)
    entry = assert_refused(sign_in, answer, tenant_a, "sso_signature_invalid")
    assert "certificate not matching" in entry["reason"]


def test_a_response_for_another_audience_is_refused(sign_in, tenant_a):
    xml = sign_in.mint(sign_in.start(), audience="http://alpha.localhost/sso/saml/other/metadata/")
    answer = sign_in.post(xml)
    assert_refused(sign_in, answer, tenant_a, "sso_audience_wrong", "wrong audience")


def test_a_response_for_another_destination_is_refused(sign_in, tenant_a):
    xml = sign_in.mint(sign_in.start(), acs_url="http://evil.test/sso/saml/corp/acs/")
    answer = sign_in.post(xml)
    assert_refused(sign_in, answer, tenant_a, "sso_destination_wrong", "wrong destination")


def test_an_assertion_for_another_recipient_is_refused(sign_in, tenant_a):
    xml = sign_in.mint(sign_in.start(), recipient="http://evil.test/sso/saml/corp/acs/")
    answer = sign_in.post(xml)
    assert_refused(sign_in, answer, tenant_a, "sso_destination_wrong", "Recipient")


def test_an_expired_assertion_is_refused(sign_in, tenant_a):
    xml = sign_in.mint(
        sign_in.start(),
        not_before=now() - datetime.timedelta(hours=2),
        not_on_or_after=now() - datetime.timedelta(hours=1),
    )
    answer = sign_in.post(xml)
    assert_refused(sign_in, answer, tenant_a, "sso_clock", "expired at")


def test_a_not_yet_valid_assertion_is_refused_naming_the_skew(sign_in, tenant_a):
    xml = sign_in.mint(
        sign_in.start(),
        not_before=now() + datetime.timedelta(seconds=600),
        not_on_or_after=now() + datetime.timedelta(hours=1),
    )
    answer = sign_in.post(xml)
    entry = assert_refused(sign_in, answer, tenant_a, "sso_clock", "more than the 120 allowed")
    skew = int(re.search(r"clock skew of (\d+) seconds", entry["reason"]).group(1))
    assert 595 <= skew <= 600


def test_the_providers_own_clock_skew_applies(sign_in, tenant_a, provider):
    """An IdP clock 60 s ahead is within the default 120 s; with the skew set to 10 s the
    same assertion is refused (per provider, no process-wide setting)."""
    ahead = {
        "not_before": now() + datetime.timedelta(seconds=60),
        "not_on_or_after": now() + datetime.timedelta(minutes=10),
    }
    assert sign_in.post(sign_in.mint(sign_in.start(), **ahead))["Location"] == "/"
    sign_in.client.logout()
    provider.saml_clock_skew_seconds = 10
    provider.save()
    answer = sign_in.post(sign_in.mint(sign_in.start(), name_id="sam@corp.test", **ahead))
    assert answer["Location"] == LOGIN
    assert [entry["code"] for entry in failures(tenant_a.schema)] == ["sso_clock"]


def test_a_replayed_response_is_refused(sign_in, tenant_a):
    xml = sign_in.mint(sign_in.start())
    assert sign_in.post(xml)["Location"] == "/"
    sign_in.client.logout()
    answer = sign_in.client.post("/sso/saml/corp/acs/", {"SAMLResponse": _b64(xml)})
    assert answer["Location"] == LOGIN
    assert sign_in.signed_in_user_id() is None
    # The request it answered was consumed by the first use.
    assert [entry["code"] for entry in failures(tenant_a.schema)] == ["sso_request_unknown"]


def test_a_replayed_idp_initiated_assertion_is_refused_by_the_replay_cache(
    sign_in, tenant_a, provider
):
    provider.saml_allow_idp_initiated = True
    provider.save()
    xml = sign_in.mint(None)
    assert sign_in.post(xml)["Location"] == "/"
    sign_in.client.logout()
    answer = sign_in.post(xml)
    assert answer["Location"] == LOGIN
    assert sign_in.signed_in_user_id() is None
    entries = failures(tenant_a.schema)
    assert [entry["code"] for entry in entries] == ["sso_replayed"]
    assert "already used" in entries[0]["reason"]


def test_a_response_to_another_request_is_refused(sign_in, tenant_a):
    sign_in.start()
    xml = sign_in.mint("ONELOGIN_" + "0" * 40)
    answer = sign_in.post(xml)
    assert_refused(sign_in, answer, tenant_a, "sso_request_unknown", "which we did not send")


def test_a_request_of_another_provider_does_not_count(sign_in, tenant_a, idp_keys):
    """A request sent to provider `corp` cannot be answered at provider `other`'s ACS."""
    provider_make(keys=idp_keys, slug="other", name="Other IdP")
    request_id = sign_in.start()
    sign_in.slug = "other"
    answer = sign_in.post(sign_in.mint(request_id))
    assert_refused(sign_in, answer, tenant_a, "sso_request_unknown")


def test_an_unsolicited_response_is_refused_unless_allowed(sign_in, tenant_a):
    answer = sign_in.post(sign_in.mint(None))
    assert_refused(sign_in, answer, tenant_a, "sso_idp_initiated_off", "IdP-initiated")


def test_another_tenants_idp_cannot_sign_in_here(sign_in, tenant_a, tenant_b, rogue_keys):
    """Tenant B trusts its own IdP (another entity ID and key). A response that IdP makes,
    posted to tenant A's ACS, names an issuer tenant A does not trust."""
    with schema_context(tenant_b.schema):
        provider_make(keys=rogue_keys, entity_id="https://idp.bravo.test/metadata")
    bravo_idp = Pysaml2Idp(
        entity_id="https://idp.bravo.test/metadata", base_url="http://127.0.0.1:9", keys=rogue_keys
    )
    sign_in.idp = bravo_idp
    xml = sign_in.mint(sign_in.start())
    answer = sign_in.post(xml)
    assert_refused(sign_in, answer, tenant_a, "sso_issuer_unknown", "idp.bravo.test")


def test_a_forged_issuer_is_refused(sign_in, tenant_a):
    xml = sign_in.mint(sign_in.start(), issuer="https://idp.bravo.test/metadata")
    answer = sign_in.post(xml)
    assert_refused(sign_in, answer, tenant_a, "sso_issuer_unknown", "another identity provider")


def test_a_response_with_a_dtd_and_external_entity_is_refused(sign_in, tenant_a):
    xml = sign_in.mint(sign_in.start())
    body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    evil = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + body.replace(">Jones<", ">&xxe;<")
    )
    answer = sign_in.post(evil)
    entry = assert_refused(sign_in, answer, tenant_a, "sso_response_invalid", "document type")
    assert "root:" not in str(entry)


def test_a_comment_injected_into_the_name_id_is_refused(sign_in, tenant_a, make_person):
    victim = make_person(email="pat@corp.test.evil.test")  # not the target; see below
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=victim.pk).update(email="pat@corp.test")
    xml = sign_in.mint(
        sign_in.start(),
        name_id="pat@corp.test.evil.test",
        attributes={"mail": ["pat@corp.test.evil.test"]},
    )
    injected = xml.replace(">pat@corp.test.evil.test<", ">pat@corp.test<!---->.evil.test<")
    assert injected != xml
    answer = sign_in.post(injected)
    assert answer["Location"] == LOGIN
    assert sign_in.signed_in_user_id() is None
    entries = failures(tenant_a.schema)
    assert [entry["code"] for entry in entries] == ["sso_response_invalid"]
    assert "comment" in entries[0]["reason"]


def test_sha1_is_refused_unless_the_tenant_allows_it(sign_in, tenant_a, provider):
    answer = sign_in.post(sign_in.mint(sign_in.start(), sha1=True))
    assert_refused(sign_in, answer, tenant_a, "sso_signature_invalid", "SHA-1")
    provider.saml_allow_sha1 = True
    provider.save()
    assert sign_in.post(sign_in.mint(sign_in.start(), sha1=True))["Location"] == "/"
    assert sign_in.signed_in_user_id() is not None


def test_an_off_host_next_is_never_stored(sign_in, tenant_a):
    """SP-initiated, an off-host `next` is dropped at the start: the person lands on this
    portal's home page (the RelayState the IdP echoes is not what is followed)."""
    answer = sign_in.post(sign_in.mint(sign_in.start("https://evil.test/phish")))
    assert answer["Location"] == "/"


@pytest.mark.parametrize("relay", ["https://evil.test/", "//evil.test/x", "/\\evil.test"])
def test_an_unsolicited_response_relaying_to_another_host_is_refused(
    sign_in, tenant_a, provider, relay
):
    provider.saml_allow_idp_initiated = True
    provider.save()
    answer = sign_in.post(sign_in.mint(None), relay_state=relay)
    assert_refused(sign_in, answer, tenant_a, "sso_relay_state_off_host")


def test_an_unsolicited_response_relaying_to_a_page_here_lands_there(sign_in, tenant_a, provider):
    provider.saml_allow_idp_initiated = True
    provider.save()
    answer = sign_in.post(sign_in.mint(None), relay_state="/my-learning/")
    assert answer["Location"] == "/my-learning/"
    assert sign_in.signed_in_user_id() is not None


def test_the_acs_of_a_disabled_provider_refuses(sign_in, tenant_a, provider):
    request_id = sign_in.start()
    provider.enabled = False
    provider.save()
    answer = sign_in.post(sign_in.mint(request_id))
    assert_refused(sign_in, answer, tenant_a, "sso_provider_disabled")


def test_garbage_is_refused_without_a_server_error(sign_in, tenant_a):
    answer = sign_in.client.post("/sso/saml/corp/acs/", {"SAMLResponse": "not base64 at all!"})
    assert_refused(sign_in, answer, tenant_a, "sso_response_invalid")


def _b64(xml: str) -> str:
    from tests.sso.idps.pysaml2_idp import b64

    return b64(xml)


def test_a_response_for_tenant_a_is_refused_at_tenant_b(sign_in, tenant_a, tenant_b, idp_keys):
    """Even when tenant B trusts the very same IdP under the same slug, a response made for
    tenant A's service provider does not sign anyone into tenant B: the tenant comes from
    the host, and tenant B's SP entity ID (its own host) is not the audience."""
    from django.test import Client

    xml = sign_in.mint(None)  # for tenant A's SP: audience and destination on alpha's host
    with schema_context(tenant_b.schema):
        provider_make(keys=idp_keys, saml_allow_idp_initiated=True)
    bravo = Client(HTTP_HOST=tenant_b.host)
    answer = bravo.post("/sso/saml/corp/acs/", {"SAMLResponse": _b64(xml)})
    assert answer["Location"] == LOGIN
    assert bravo.session.get("_auth_user_id") is None
    with schema_context(tenant_b.schema):
        assert not User.objects.filter(email="pat@corp.test").exists()
    entries = failures(tenant_b.schema)
    assert [entry["code"] for entry in entries] == ["sso_destination_wrong"]
    assert failures(tenant_a.schema) == []
