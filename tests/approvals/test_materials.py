"""Uploaded materials: checked on their content, versioned, shared by the items that need them (一张表单),
pre-checked, and only downloadable through the scoped selector."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from onewindow.approvals import filetypes, task_selectors, task_services
from onewindow.approvals.models import Material, MaterialCheck, MaterialFile
from onewindow.core.models import AuditEntry
from tests.core.test_config import run_cli

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)


def office(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = office("[Content_Types].xml", "word/document.xml")
XLSX = office("[Content_Types].xml", "xl/workbook.xml")
OFD = office("OFD.xml", "Doc_0/Document.xml")


@pytest.mark.parametrize(
    ("content", "kind", "name"),
    [
        (PDF, "pdf", "a.pdf"),
        (PNG, "png", "a.PNG"),
        (JPEG, "jpeg", "a.jpg"),
        (JPEG, "jpeg", "a.jpeg"),
        (DOCX, "docx", "a.docx"),
        (XLSX, "xlsx", "a.xlsx"),
        (OFD, "ofd", "a.ofd"),
    ],
)
def test_the_content_tells_the_kind_and_the_name_must_agree(content, kind, name):
    stream = io.BytesIO(content)
    assert filetypes.sniff(stream) == kind
    assert stream.tell() == 0
    assert filetypes.name_matches(name, kind)
    assert not filetypes.name_matches("a.exe", kind)


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 an executable", b"plain text", office("readme.txt"), b"PK\x03\x04 broken archive", b""],
)
def test_other_content_is_no_accepted_kind(content):
    assert filetypes.sniff(io.BytesIO(content)) is None


# -- uploads -------------------------------------------------------------------------------------


def material(planned, code):
    return Material.objects.get(version=planned.plan.catalog_version, code=code)


def upload(name, content):
    return SimpleUploadedFile(name, content)


def stored_files(root):
    return sorted(path.name for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_an_upload_is_stored_privately_versioned_and_audited(people, planned, private_media):
    form = material(planned, "form")
    first = task_services.upload_material(
        actor=people["agent1"], project=planned.project, material=form, upload=upload("申请表.pdf", PDF)
    )
    second = task_services.upload_material(
        actor=people["agent1"], project=planned.project, material=form, upload=upload("申请表-改.docx", DOCX)
    )
    assert [(f.version, f.kind, f.original_name) for f in (first, second)] == [
        (1, "pdf", "申请表.pdf"),
        (2, "docx", "申请表-改.docx"),
    ]
    assert first.file.read() == PDF  # older versions are kept
    assert "申请表" not in first.file.name and first.file.name.startswith("materials/")
    assert first.file.path.startswith(str(private_media))
    assert len(stored_files(private_media)) == 2
    entry = AuditEntry.objects.get(object_type="approvals.materialfile", object_id=str(first.pk))
    assert entry.changes["kind"] == "pdf" and entry.region_path == planned.project.region.path
    assert len(entry.changes["sha256"]) == 64


def test_a_pdf_name_with_png_content_is_refused_naming_the_field_and_nothing_is_written(
    people, planned, private_media
):
    with pytest.raises(ValidationError) as caught:
        task_services.upload_material(
            actor=people["agent1"],
            project=planned.project,
            material=material(planned, "form"),
            upload=upload("申请表.pdf", PNG),
        )
    assert "PNG" in caught.value.message_dict["file"][0]
    assert not MaterialFile.objects.exists() and stored_files(private_media) == []
    assert not AuditEntry.objects.filter(object_type="approvals.materialfile").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", b""),
        ("run.exe", b"MZ\x90\x00"),
        ("a.pdf", b"%PDF-" + bytes(2048)),
        ("a.docx", office("x.txt")),
    ],
)
def test_empty_too_large_or_unknown_files_are_refused(
    people, planned, private_media, settings, name, content
):
    settings.ONEWINDOW_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        task_services.upload_material(
            actor=people["agent1"],
            project=planned.project,
            material=material(planned, "form"),
            upload=upload(name, content),
        )
    assert "file" in caught.value.message_dict
    assert not MaterialFile.objects.exists() and stored_files(private_media) == []


def test_the_upload_limit_is_a_strict_setting(tmp_path):
    result = run_cli("check", env_overrides={"DEBUG": "1", "MAX_UPLOAD_MB": "20MB"}, tmp_path=tmp_path)
    assert result.returncode == 2 and "MAX_UPLOAD_MB" in result.stderr


def test_a_material_no_task_needs_or_from_another_catalog_is_refused(people, planned, default_catalog):
    foreign = Material.objects.filter(version=default_catalog).first()
    with pytest.raises(ValidationError) as caught:
        task_services.upload_material(
            actor=people["agent1"], project=planned.project, material=foreign, upload=upload("a.pdf", PDF)
        )
    assert "material" in caught.value.message_dict


@pytest.mark.parametrize("who", ["investor_yulong", "agent2", "clerk_fgw", "county_gh"])
def test_only_the_agent_side_uploads(people, planned, who):
    with pytest.raises(PermissionDenied):
        task_services.upload_material(
            actor=people[who],
            project=planned.project,
            material=material(planned, "form"),
            upload=upload("a.pdf", PDF),
        )


def test_a_shared_material_uploaded_once_serves_both_tasks_that_require_it(people, planned):
    upload_ = task_services.upload_material(
        actor=people["agent1"],
        project=planned.project,
        material=material(planned, "form"),
        upload=upload("表.pdf", PDF),
    )
    for code in ("FGW-BA", "ZJJ-SG"):
        task = task_selectors.task_for(people["agent1"], planned.tasks[code].pk)
        required = {entry.link.material.code: entry for entry in task_selectors.task_materials(task)}
        assert required["form"].latest == upload_ and required["form"].files == (upload_,)
    xf = task_selectors.task_for(people["agent1"], planned.tasks["ZJJ-XF"].pk)
    assert [entry.link.material.code for entry in task_selectors.task_materials(xf)] == ["drawings"]
    assert MaterialFile.objects.count() == 1


def test_task_materials_cost_the_same_queries_whatever_the_number_of_versions(
    people, planned, django_assert_num_queries
):
    def add_versions(count):
        for n in range(count):
            for code in ("form", "drawings"):
                task_services.upload_material(
                    actor=people["agent1"],
                    project=planned.project,
                    material=material(planned, code),
                    upload=upload(f"{n}.pdf", PDF),
                )

    for total in (1, 4):
        add_versions(total - MaterialFile.objects.filter(material__code="form").count())
        task = task_selectors.task_for(people["agent1"], planned.tasks["ZJJ-SG"].pk)
        with django_assert_num_queries(3):  # the links, the files, their checks
            entries = task_selectors.task_materials(task)
        assert [len(entry.files) for entry in entries] == [total, total]


def test_pre_check_comments_are_kept_per_version(people, clerks, planned):
    form = task_services.upload_material(
        actor=people["agent1"],
        project=planned.project,
        material=material(planned, "form"),
        upload=upload("表.pdf", PDF),
    )
    task_services.precheck_material(
        actor=people["agent1"], upload=form, verdict="revise", comment="缺少法人签章"
    )
    task_services.precheck_material(actor=clerks["zjj"], upload=form, verdict="ok")
    assert list(form.checks.values_list("verdict", "comment")) == [("revise", "缺少法人签章"), ("ok", "")]
    with pytest.raises(ValidationError) as caught:
        task_services.precheck_material(actor=people["agent1"], upload=form, verdict="revise", comment="")
    assert "comment" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        task_services.precheck_material(actor=people["investor_yulong"], upload=form, verdict="ok")
    assert MaterialCheck.objects.count() == 2
    assert AuditEntry.objects.filter(object_type="approvals.materialcheck").count() == 2


def test_a_download_is_found_only_by_those_who_see_a_task_it_serves(people, clerks, planned):
    drawings = task_services.upload_material(
        actor=people["agent1"],
        project=planned.project,
        material=material(planned, "drawings"),
        upload=upload("图.pdf", PDF),
    )
    for who in (people["agent1"], people["investor_yulong"], clerks["zjj"], people["leader"]):
        assert task_selectors.material_file_for(who, drawings.pk) == drawings
    for who in (clerks["fgw"], clerks["fgw_gh"], people["county_gh"]):  # 发改's item does not need drawings
        with pytest.raises(Http404):
            task_selectors.material_file_for(who, drawings.pk)
    with pytest.raises(Http404):
        task_selectors.material_file_for(people["leader"], drawings.pk + 1000)
