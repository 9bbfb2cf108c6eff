"""The upload page: preview of the column mapping and the rows, confirm to write, roles and scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.ledger import uploads
from onewindow.projects.models import Project
from tests.ledger.conftest import ledger_row

IMPORT = reverse("ledger-import")
CONFIRM = reverse("ledger-confirm")
DISCARD = reverse("ledger-discard")


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.ONEWINDOW_LEDGER_UPLOAD_DIR = tmp_path / "uploads"
    return settings.ONEWINDOW_LEDGER_UPLOAD_DIR


def upload(client, path, **data):
    with open(path, "rb") as handle:
        file = SimpleUploadedFile(path.name, handle.read())
    return client.post(IMPORT, {"file": file, **data})


def test_the_upload_page_explains_what_it_reads(login, people):
    response = login("leader").get(IMPORT)
    assert response.status_code == 200
    assert "Import a ledger" in response.text
    assert "项目名称、项目、名称" in response.text


def test_the_menu_offers_the_import_to_those_who_may_take_projects_in(login, people):
    assert f'href="{IMPORT}"' in login("agent1").get(reverse("workbench")).text
    assert f'href="{IMPORT}"' not in login("clerk_fgw").get(reverse("workbench")).text


def test_an_upload_shows_the_mapping_and_the_rows_and_writes_nothing(login, make_ledger, upload_dir):
    client = login("leader")
    response = upload(
        client, make_ledger([ledger_row(1), ledger_row(2, 项目阶段="在建", 开工时间="2012-06-01")])
    )
    assert response.status_code == 200
    page = response.text
    assert "Ledger preview" in page
    assert "header on row 2." in page
    assert "总投资（万元）" in page and "Total investment" in page
    assert "台账测试项目1" in page and "台账测试项目2" in page
    assert "New project" in page
    assert "立项时间 is empty: taken as 2012-06-01" in page
    assert "Import the ledger" in page
    assert Project.objects.count() == 0
    token = response.context["token"]
    assert (upload_dir / f"{token}.xlsx").is_file()
    assert token in client.session[uploads.SESSION_KEY]


def test_confirming_writes_the_previewed_file_and_forgets_it(login, make_ledger, upload_dir):
    client = login("leader")
    token = upload(client, make_ledger([ledger_row(1), ledger_row(2)])).context["token"]
    response = client.post(CONFIRM, {"token": token})
    assert response.status_code == 200
    assert "The ledger was imported." in response.text
    assert Project.objects.count() == 2
    assert not (upload_dir / f"{token}.xlsx").exists()
    assert token not in client.session[uploads.SESSION_KEY]
    again = client.post(CONFIRM, {"token": token}, follow=True)
    assert "no longer available" in again.text
    assert Project.objects.count() == 2


def test_rows_with_errors_can_be_skipped_at_the_confirmation(login, make_ledger):
    client = login("leader")
    response = upload(client, make_ledger([ledger_row(1), ledger_row(2, 所在地区="成都")]))
    page = response.text
    assert "1 row with errors" in page
    assert "成都 is not a region of this city." in page
    assert "Import the valid rows, skip the invalid ones" in page
    assert "Import the ledger</button>" not in page
    response = client.post(CONFIRM, {"token": response.context["token"], "skip_invalid": "on"})
    assert response.status_code == 200
    assert list(Project.objects.values_list("name", flat=True)) == ["台账测试项目1"]


def test_confirming_without_skipping_writes_nothing_when_a_row_is_wrong(login, make_ledger):
    client = login("leader")
    token = upload(client, make_ledger([ledger_row(1), ledger_row(2, 所在地区="成都")])).context["token"]
    response = client.post(CONFIRM, {"token": token})
    assert response.status_code == 400
    assert "Nothing was written" in response.text
    assert Project.objects.count() == 0


def test_a_county_user_sees_rows_outside_their_region_refused_by_row(login, make_ledger):
    client = login("county_gh")
    response = upload(client, make_ledger([ledger_row(1), ledger_row(2, 所在地区="绵竹市")]))
    assert response.status_code == 200
    error = response.context["report"].errors[0]
    assert (error.row, error.column) == (4, "H")
    assert "绵竹市 is outside the area you work in." in response.text


def test_another_session_cannot_confirm_an_upload(login, make_ledger, people):
    token = upload(login("leader"), make_ledger([ledger_row(1)])).context["token"]
    response = login("agent1").post(CONFIRM, {"token": token}, follow=True)
    assert "no longer available" in response.text
    assert Project.objects.count() == 0


def test_a_file_changed_after_the_preview_is_not_imported(login, make_ledger, upload_dir):
    client = login("leader")
    token = upload(client, make_ledger([ledger_row(1)])).context["token"]
    path = upload_dir / f"{token}.xlsx"
    path.write_bytes(make_ledger([ledger_row(1), ledger_row(2)]).read_bytes())
    client.post(CONFIRM, {"token": token})
    assert Project.objects.count() == 0


def test_discarding_deletes_the_uploaded_file(login, make_ledger, upload_dir):
    client = login("leader")
    token = upload(client, make_ledger([ledger_row(1)])).context["token"]
    response = client.post(DISCARD, {"token": token}, follow=True)
    assert "nothing was imported" in response.text
    assert not (upload_dir / f"{token}.xlsx").exists()
    assert Project.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(login, tmp_path, upload_dir):
    client = login("leader")
    csv = tmp_path / "ledger.csv"
    csv.write_text("项目名称,总投资\n")
    response = upload(client, csv)
    assert response.status_code == 400
    assert "Upload the ledger as an Excel workbook (.xlsx)" in response.text
    fake = tmp_path / "ledger.xlsx"
    fake.write_text("项目名称,总投资\n")
    response = upload(client, fake)
    assert response.status_code == 400
    assert "not an Excel workbook" in response.text
    assert list(upload_dir.iterdir()) == []


def test_a_workbook_without_a_header_is_refused_with_the_reason(login, tmp_path):
    from tests.ledger.conftest import build_workbook

    response = upload(login("leader"), build_workbook(tmp_path / "a.xlsx", [["备注"], [1, 2]]))
    assert response.status_code == 400
    assert "No header row found" in response.text


def test_too_large_a_file_is_refused(login, make_ledger, settings):
    settings.ONEWINDOW_MAX_UPLOAD_BYTES = 100
    response = upload(login("leader"), make_ledger([ledger_row(1)]))
    assert response.status_code == 400
    assert "larger than" in response.text


@pytest.mark.parametrize("role", ["clerk_fgw", "investor_yulong"])
def test_people_who_may_not_take_projects_in_get_403(login, make_ledger, role):
    client = login(role)
    assert client.get(IMPORT).status_code == 403
    assert upload(client, make_ledger([ledger_row(1)])).status_code == 403
    assert client.post(CONFIRM, {"token": "x" * 32}).status_code == 403
    assert Project.objects.count() == 0


def test_anonymous_visitors_are_sent_to_the_login(login):
    response = login(None).get(IMPORT)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_register_offers_the_ledger_export_beside_the_csv(login, world):
    page = login("leader").get(reverse("project-register"), {"stage": "intake"}).text
    assert f'href="{reverse("project-export-xlsx")}?stage=intake"' in page


def test_old_uploads_are_swept(upload_dir, make_ledger):
    import os
    import time

    upload_dir.mkdir(parents=True, exist_ok=True)
    old = upload_dir / ("a" * 32 + ".xlsx")
    old.write_bytes(b"x")
    os.utime(old, (time.time() - uploads.KEEP_SECONDS - 10,) * 2)
    fresh = upload_dir / ("b" * 32 + ".xlsx")
    fresh.write_bytes(b"x")
    uploads.sweep()
    assert not old.exists()
    assert fresh.exists()


def test_a_ledger_too_long_for_a_page_is_sent_to_the_command(login, make_ledger, settings, upload_dir):
    settings.ONEWINDOW_LEDGER_PAGE_MAX_ROWS = 2
    response = upload(login("leader"), make_ledger([ledger_row(1), ledger_row(2), ledger_row(3)]))
    assert response.status_code == 400
    assert "the page takes up to 2" in response.text
    assert "onewindow import-ledger" in response.text
    assert list(upload_dir.iterdir()) == []
