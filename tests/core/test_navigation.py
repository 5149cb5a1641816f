"""The portal's navigation lists what the signed-in person may open, and nothing else."""

from __future__ import annotations

from core.navigation import Area, NavEntry, nav_entry_register, nav_for


def test_entries_show_only_to_people_they_allow(tenant_a, make_person, monkeypatch):
    monkeypatch.setattr("core.navigation._entries", [])
    nav_entry_register(
        NavEntry(Area.ADMIN, "Only admins", "personal-tokens", lambda user: user.role == "admin")
    )
    learner = make_person(role="learner")
    admin = make_person(role="admin")
    assert "Only admins" not in [item["label"] for item in nav_for(learner, Area.ADMIN)]
    items = nav_for(admin, Area.ADMIN, current_url_name="personal-tokens")
    mine = next(item for item in items if item["label"] == "Only admins")
    assert mine == {"label": "Only admins", "url": "/accounts/tokens/", "current": True, "badge": 0}
