import os

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .reading import SPREADSHEET_EXTENSIONS, unsupported_message


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel、WPS 或 CSV 文件"),
        help_text=_(
            "支持 .xlsx、.xls、.ods 和 .csv。列名与模板一致即可：可在前 10 行的任一行，"
            "顺序不限，可有标题行、序号列和表尾；CSV 可为 UTF-8 或 GBK 编码，逗号、制表符或"
            "分号分隔。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if os.path.splitext(upload.name)[1].lower() not in SPREADSHEET_EXTENSIONS:
            raise forms.ValidationError(unsupported_message())
        if upload.size > settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("文件过大，上限为 %(limit)d MB。") % {"limit": settings.IMPORT_MAX_UPLOAD_MB}
            )
        return upload
