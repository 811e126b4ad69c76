"""A file that should be a zip and is none is refused as what it should have been."""

from __future__ import annotations

import pytest

from planforge.errors import InputError, TemplateError
from planforge.render.package import check_office_package
from planforge.web.uploads import unpack_folder


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", "名单".encode()])
def test_a_template_or_upload_that_is_no_zip_is_refused_naming_what_it_should_be(tmp_path,
                                                                                  content):
    template = tmp_path / "申请表.docx"
    template.write_bytes(content)
    with pytest.raises(TemplateError, match=r"^模板「申请表.docx」不是有效的 Office 文件（.+），已拒绝 "
                       r"/ template '申请表.docx' is not a valid Office file \(.+\) and was refused"):
        check_office_package(template)
    upload = tmp_path / "活动资料.zip"
    upload.write_bytes(content)
    with pytest.raises(InputError) as error:
        unpack_folder(upload, tmp_path / "unpacked")
    (problem,) = error.value.problems
    assert problem.zh.startswith("不是有效的 zip 压缩包（")
    assert problem.en.startswith("is not a valid .zip archive (")
    assert problem.where.file == "活动资料.zip"
    assert not (tmp_path / "unpacked").exists()
