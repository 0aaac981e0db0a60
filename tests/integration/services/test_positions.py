"""Who holds the positions to be trained (Law 10/2022 Art 8.1), in the directory
service on the real broker and wire server: entered holdings, and those that follow
staff roles."""

from datetime import UTC, datetime

import pytest

from shared.calendar import vietnam_day
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.integration.services.conftest import account
from tests.samples import OTHER_WARD, household, residential_group

SUPERVISION = "investment_supervision"


def entered(number: int, **fields) -> dict:
    """add_holding's payload: staff member `minh` enters a supervision board member."""
    return {
        "actor": "minh",
        "request_id": f"{number:032x}",
        "commune_id": "huong-an",
        "unit_id": "huong-an",
        "position": SUPERVISION,
        "full_name": "Trần Thị Bình",
        "starts_on": "2026-01-05",
        **fields,
    }


def listed(directory, **query) -> list[dict]:
    return directory.list_holdings({"commune_id": "huong-an", **query})["holdings"]


def grant(directory, username: str, role: str, unit_id: str, change: str = "grant_role") -> None:
    getattr(directory, change)(
        {"actor": "admin", "username": username, "grant": {"role": role, "unit_id": unit_id}}
    )


def role_holdings(directory, username: str) -> list[dict]:
    return directory.holdings_of({"person_id": f"account:{username}"})["holdings"]


def today() -> str:
    return vietnam_day(datetime.now(UTC)).isoformat()


def test_commune_staff_enter_a_holder_and_the_same_form_twice_stores_one(ward, databases):
    first = ward.add_holding(entered(1, phone="0912 345 678", household="haaaa2"))
    again = ward.add_holding(entered(1, phone="0912 345 678", household="haaaa2"))

    assert again == first
    assert first["holding_id"] == f"{1:032x}" and first["ends_on"] is None
    person = first["person"]
    assert person["person_id"].startswith("p-") and len(person["person_id"]) == 18
    assert (person["phone"], person["household"]) == ("0912345678", "HAAAA2")
    assert databases["directory"].holdings.count_documents({"position": SUPERVISION}) == 1
    audit = ward.list_audit({"actor": "admin", "commune_id": "huong-an"})["entries"]
    assert [e["target"] for e in audit if e["action"] == "add_holding"] == [first["holding_id"]]


def test_a_known_person_takes_a_second_position_and_new_contact_details_reach_both(ward):
    first = ward.add_holding(entered(1, phone="0912345678"))
    person_id = first["person"]["person_id"]
    second = ward.add_holding(
        entered(
            2,
            person_id=person_id,
            full_name=None,
            position="convention_drafter",
            unit_id="tdp-1",
            email="binh@example.vn",
        )
    )

    assert second["person"] == {**first["person"], "email": "binh@example.vn"}
    both = ward.holdings_of({"person_id": person_id})["holdings"]
    assert [h["person"]["email"] for h in both] == ["binh@example.vn"] * 2


def test_a_person_holds_a_position_in_a_unit_once_at_a_time(ward):
    person_id = ward.add_holding(entered(1))["person"]["person_id"]
    with pytest.raises(Conflict):
        ward.add_holding(entered(2, person_id=person_id, starts_on="2026-03-01"))
    ward.end_holding({"actor": "minh", "holding_id": f"{1:032x}", "ends_on": "2026-03-01"})
    ward.add_holding(entered(2, person_id=person_id, starts_on="2026-03-01"))  # a second term


def test_a_person_unknown_in_the_commune_is_refused(ward, directory):
    directory.register_unit(OTHER_WARD)
    directory.create_account(account("tuan", ("commune_staff", "kim-long")))
    with pytest.raises(InvalidInput) as refused:
        ward.add_holding(entered(1, person_id="p-0123456789abcdef", full_name=None))
    assert "person_id" in refused.value.fields
    with pytest.raises(InvalidInput):  # an official, but of another ward
        ward.add_holding(entered(2, person_id="account:tuan", full_name=None))


def test_an_official_of_the_commune_is_entered_under_their_account(ward):
    holding = ward.add_holding(
        entered(1, person_id="account:tuyet", full_name=None, position="convention_drafter")
    )
    assert holding["person"]["username"] == "tuyet"


def test_the_unit_must_be_the_commune_or_one_of_its_groups_on_the_first_day(ward, directory):
    directory.register_unit(OTHER_WARD)
    directory.register_unit(residential_group(9, "kim-long"))
    for unit_id in ("tdp-9", "kim-long", "nowhere"):
        with pytest.raises(InvalidInput) as refused:
            ward.add_holding(entered(1, unit_id=unit_id))
        assert "unit_id" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:  # before the group existed
        ward.add_holding(entered(1, unit_id="tdp-1", starts_on="2025-01-01"))
    assert "01/01/2025" in refused.value.fields["unit_id"]


def test_the_household_must_be_one_of_the_commune(ward, directory):
    directory.register_unit(OTHER_WARD)
    directory.register_unit(residential_group(9, "kim-long"))
    directory.register_household(household("HKKKK2", "tdp-9"))
    for code in ("HZZZZ9", "HKKKK2"):
        with pytest.raises(InvalidInput) as refused:
            ward.add_holding(entered(1, household=code))
        assert code in refused.value.fields["household"]


def test_only_the_communes_own_staff_enter_and_end_holders(ward, directory):
    directory.register_unit(OTHER_WARD)
    directory.create_account(account("tuan", ("commune_staff", "kim-long")))
    for actor in ("tuyet", "tuan"):  # a group head; staff of another ward
        with pytest.raises(Forbidden):
            ward.add_holding(entered(1, actor=actor))
    ward.add_holding(entered(1, actor="admin"))
    with pytest.raises(Forbidden):
        ward.end_holding({"actor": "tuyet", "holding_id": f"{1:032x}", "ends_on": "2026-06-30"})
    with pytest.raises(NotFound):
        ward.end_holding(
            {"actor": "minh", "holding_id": "no-such-holding", "ends_on": "2026-06-30"}
        )


def test_a_position_that_follows_a_role_cannot_be_entered(ward):
    with pytest.raises(InvalidInput):
        ward.add_holding(entered(1, position="group_head", unit_id="tdp-1"))


def test_ending_is_audited_not_before_the_start_and_listing_keeps_what_overlaps(ward):
    ward.add_holding(entered(1, starts_on="2026-01-05"))
    ward.add_holding(entered(2, full_name="Lê Văn Cường", starts_on="2026-04-01"))
    ward.add_holding(
        entered(3, full_name="Phạm Thị Dung", position="front_committee_head", unit_id="tdp-2")
    )
    with pytest.raises(InvalidInput) as refused:
        ward.end_holding({"actor": "minh", "holding_id": f"{1:032x}", "ends_on": "2026-01-04"})
    assert "05/01/2026" in refused.value.fields["ends_on"]
    ended = ward.end_holding({"actor": "minh", "holding_id": f"{1:032x}", "ends_on": "2026-03-31"})
    assert ended["ends_on"] == "2026-03-31"

    def names(**query) -> list[str]:
        return [h["person"]["full_name"] for h in listed(ward, positions=[SUPERVISION], **query)]

    assert names() == ["Trần Thị Bình", "Lê Văn Cường"]
    assert names(start="2026-03-30", end="2026-03-30") == ["Trần Thị Bình"]  # its last day
    assert names(start="2026-03-31") == ["Lê Văn Cường"]  # the day she left
    assert names(end="2026-01-04") == []
    assert names(start="2026-02-01", end="2026-05-01") == ["Trần Thị Bình", "Lê Văn Cường"]
    front = listed(ward, positions=["front_committee_head"])
    assert [h["unit_id"] for h in front] == ["tdp-2"]
    audit = ward.list_audit({"actor": "admin", "commune_id": "huong-an"})["entries"]
    assert [e["after"]["ends_on"] for e in audit if e["action"] == "end_holding"] == ["2026-03-31"]


def test_granting_a_role_opens_its_position_today_and_revoking_closes_it(ward):
    (minh,) = role_holdings(ward, "minh")  # the ward fixture made minh commune staff
    assert (minh["position"], minh["unit_id"], minh["commune_id"]) == (
        "commune_official",
        "huong-an",
        "huong-an",
    )
    assert minh["starts_on"] == today() and minh["ends_on"] is None
    assert minh["person"]["full_name"] == "Minh"
    (tuyet,) = role_holdings(ward, "tuyet")
    assert (tuyet["position"], tuyet["unit_id"]) == ("group_head", "tdp-1")

    grant(ward, "tuyet", "group_head", "tdp-2")
    grant(ward, "tuyet", "group_head", "tdp-2")  # sent twice
    grant(ward, "tuyet", "group_head", "tdp-1", "revoke_role")
    by_unit = {h["unit_id"]: h for h in role_holdings(ward, "tuyet")}
    assert by_unit["tdp-1"]["ends_on"] == today() and by_unit["tdp-2"]["ends_on"] is None
    assert len(role_holdings(ward, "tuyet")) == 2


def test_an_admin_who_is_also_staff_is_one_commune_official(ward):
    grant(ward, "minh", "commune_admin", "huong-an")
    assert len(role_holdings(ward, "minh")) == 1
    grant(ward, "minh", "commune_staff", "huong-an", "revoke_role")
    (still,) = role_holdings(ward, "minh")
    assert still["ends_on"] is None  # commune_admin keeps the position
    grant(ward, "minh", "commune_admin", "huong-an", "revoke_role")
    (ended,) = role_holdings(ward, "minh")
    assert ended["ends_on"] == today()
    grant(ward, "minh", "commune_staff", "huong-an")  # back the same day: the same holding
    (back,) = role_holdings(ward, "minh")
    assert back["holding_id"] == ended["holding_id"] and back["ends_on"] is None


def test_inspectors_are_listed_and_a_role_holding_is_ended_by_revoking_the_role(ward):
    ward.create_account(account("binh", ("inspector", "huong-an")))
    officials = listed(ward, positions=["commune_official", "inspection_board"])
    assert [(h["position"], h["person"]["username"]) for h in officials] == [
        ("commune_official", "minh"),
        ("inspection_board", "binh"),
    ]
    with pytest.raises(InvalidInput) as refused:
        ward.end_holding(
            {"actor": "admin", "holding_id": officials[1]["holding_id"], "ends_on": today()}
        )
    assert "thu hồi" in refused.value.fields["holding_id"]


def test_accounts_made_before_positions_were_recorded_get_their_holdings_at_start(
    directory, databases
):
    """An account whose role opened no holding (made by an earlier release) holds its
    position from the day the directory next starts."""
    directory.register_unit(residential_group(1))
    directory.create_account(account("to-truong-cu", ("group_head", "tdp-1")))
    databases["directory"].holdings.delete_many({})  # as an earlier release left it

    from services.directory.store import DirectoryStore

    DirectoryStore.ensure_indexes(databases["directory"])  # what a start runs
    held = directory.holdings_of({"person_id": "account:to-truong-cu"})["holdings"]
    assert [(h["position"], h["unit_id"], h["ends_on"]) for h in held] == [
        ("group_head", "tdp-1", None)
    ]
