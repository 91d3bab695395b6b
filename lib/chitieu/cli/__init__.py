"""The ``chitieu`` command: a group whose commands live in their own modules, imported only when run.

``chitieu --help`` lists the commands from :data:`COMMANDS` (module and one-line help) without importing any of
them, so it answers at once; ``chitieu table …`` imports ``chitieu.cli.data`` and what it needs, nothing else.
A module defines ``app = typer.Typer()`` and its commands; adding a command is one line in :data:`COMMANDS`
(a test checks the line and the module agree).

Every user-facing failure (bad data, unknown locality, unreadable file) ends in a clear message on stderr and a
non-zero exit, never a traceback: see :func:`main`.
"""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import typer
from typer.core import TyperCommand, TyperGroup

from chitieu.errors import ChitieuError, DataError

__all__ = ["app", "main", "COMMANDS"]

#: the click that typer carries (typer ≥ 0.2x vendors its own), reached through a public name
ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")

#: command name -> (module under chitieu.cli, one line of help shown by ``chitieu --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "localities": ("data", "Danh sách địa phương."),
    "check": ("data", "Kiểm tra toàn bộ data/: liệt kê mọi lỗi một lần (tệp, dòng, cột)."),
    "data": ("data", "Bảng dài mọi số liệu của một địa phương, kèm chuỗi gốc và nguồn."),
    "table": ("data", "Biểu kết quả: chỉ tiêu Nghị quyết, kết quả, tỷ lệ đạt và đánh giá."),
    "project": ("project", "Tiến độ đến năm mục tiêu: nhịp đã qua, nhịp cần, dự báo, đánh giá."),
    "compare": ("compare", "So sánh các địa phương theo chỉ tiêu chung."),
    "import": ("importing", "Nhập Biểu kết quả (.docx, .xlsx, văn bản có tab) vào data/."),
    "extract": ("extract", "Đọc báo cáo (văn bản, .docx, .html, PDF, bản quét): đề xuất mọi chỉ tiêu và kết quả."),
    "audit": ("audit", "Đối chiếu từng câu nêu kết quả của bản dự thảo với số liệu."),
    "draft": ("draft", "Viết phần kết quả (câu chữ, biểu, biểu đồ) ra .md và .docx."),
    "panel": ("panel", "Cả một bảng dài từ tệp của bạn: tỷ lệ đạt, nhịp, dự báo, đánh giá."),
    "run": ("run", "Chạy báo cáo của từng địa phương vào thư mục kết quả."),
}


HELP_OPTION_VI = "Hiện hướng dẫn này rồi thoát."


def _vietnamese_help() -> None:
    """typer's own words in ``--help`` in Vietnamese (English in brackets where a reader may search for it)."""
    from typer import rich_utils as ru

    ru.DEFAULT_STRING = "[mặc định: {}]"
    ru.REQUIRED_LONG_STRING = "[bắt buộc]"
    ru.ARGUMENTS_PANEL_TITLE = "Tham số"
    ru.OPTIONS_PANEL_TITLE = "Tùy chọn"
    ru.COMMANDS_PANEL_TITLE = "Lệnh"
    ru.ERRORS_PANEL_TITLE = "Lỗi"
    ru.ABORTED_TEXT = "Đã dừng."
    ru.RICH_HELP = "Xem [blue]'{command_path} {help_option}'[/] để biết cách dùng."


#: click's usage errors (typer carries its own click, whose words are plain f-strings, not gettext): pattern →
#: Vietnamese, applied in order to the message as click formats it
CLICK_MESSAGES_VI: tuple[tuple[str, str], ...] = (
    (r"^Usage: ", "Cách dùng: "),
    (r"^Try '(.+)' for help\.$", r"Xem '\1' để biết cách dùng."),
    (r"^Error: ", "Lỗi: "),
    (r"Missing argument ", "Thiếu tham số "),
    (r"Missing option ", "Thiếu tùy chọn "),
    (r"Missing parameter(?::)? ", "Thiếu tham số "),
    (r"Missing command\.", "Thiếu lệnh."),
    (r"No such option: ", "Không có tùy chọn "),
    (r"No such command (.+?)\.", r"Không có lệnh \1."),
    (r"Did you mean (.+?)\?", r"Có phải là \1?"),
    (r"Got unexpected extra argument\(s\) \((.*)\)", r"Thừa tham số: \1"),
    (r"Invalid value for (.+?): ", r"Giá trị không hợp lệ cho \1: "),
    (r"Invalid value: ", "Giá trị không hợp lệ: "),
    (r"Value error, (.+) is not one of (.+)\.", r"\1 không phải một trong \2."),
    (r"Option (.+?) requires an argument\.", r"Tùy chọn \1 cần một giá trị."),
    (r"Option (.+?) requires (\d+) arguments\.", r"Tùy chọn \1 cần \2 giá trị."),
    (r"Option (.+?) does not take a value\.", r"Tùy chọn \1 không nhận giá trị."),
    (r"Input should be a valid integer[^.]*", "cần một số nguyên"),
    (r"Input should be a valid number[^.]*", "cần một số"),
    (r"is not a valid integer", "không phải số nguyên"),
    (r"is not a valid float", "không phải số"),
    (r"(Path|File|Directory) (.+?) does not exist\.", r"Không có \2."),
)


def click_message_vi(text: str) -> str:
    """A click usage error in Vietnamese, line by line (anything not in :data:`CLICK_MESSAGES_VI` is kept)."""
    import re

    lines = []
    for line in text.splitlines(keepends=True):
        body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        for pattern, repl in CLICK_MESSAGES_VI:
            body = re.sub(pattern, repl, body)
        lines.append(body + end)
    return "".join(lines)


def _help_in_vietnamese(command, ctx):
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = HELP_OPTION_VI
    return command


class LazyGroup(TyperGroup):
    """A click group that imports a command's module only when the command is used."""

    listing = False  # True while help is being formatted: commands are shown from COMMANDS, not imported

    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx, name: str):
        if name not in COMMANDS:
            return None
        module_name, short = COMMANDS[name]
        if self.listing:
            return TyperCommand(name, help=short, short_help=short)
        module = importlib.import_module(f"chitieu.cli.{module_name}")
        command = typer.main.get_command(module.app)
        if isinstance(command, TyperGroup):  # a module with several commands
            sub = command.commands.get(name)
            return None if sub is None else _help_in_vietnamese(sub, ctx)
        command.name = name  # a module with one command: typer names it after the function
        return _help_in_vietnamese(command, ctx)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_VI
        return option

    def format_help(self, ctx, formatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


_vietnamese_help()
app = typer.Typer(cls=LazyGroup, add_completion=False, no_args_is_help=True,
                  help="chitieu: chỉ tiêu Nghị quyết — kết quả, xu hướng, dự báo đến 2030, báo cáo.",
                  context_settings={"help_option_names": ["-h", "--help"]})


@app.callback()
def _root(data: Path | None = typer.Option(None, "--data", help="thư mục dữ liệu (mặc định: data/ của dự án)"),
          params: Path | None = typer.Option(None, "--params-dir", help="thư mục tham số (mặc định: params/)")) -> None:
    """chitieu: chỉ tiêu Nghị quyết — kết quả, xu hướng, dự báo đến 2030, báo cáo."""
    if data is not None:
        os.environ["CHITIEU_DATA"] = str(data.resolve())
    if params is not None:
        os.environ["CHITIEU_PARAMS"] = str(params.resolve())


def main() -> None:
    """Entry point: runs the app and turns user errors into messages and exit codes."""
    from rich.console import Console

    err = Console(stderr=True, soft_wrap=True)
    try:
        code = app(standalone_mode=False)  # click returns typer.Exit's code instead of raising it here
        if isinstance(code, int) and code:
            sys.exit(code)
    except DataError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(2)
    except ChitieuError as exc:
        if isinstance(exc, OSError) and exc.filename:  # an output that cannot be written: name the path
            err.print(f"Lỗi: {exc.filename}: {exc.strerror or exc}", markup=False, highlight=False)
        else:
            err.print(f"Lỗi: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except OSError as exc:  # a path the user gave that cannot be written or read (a folder, a read-only place)
        err.print(f"Lỗi: {exc.filename or ''}: {exc.strerror or exc}", markup=False, highlight=False)
        sys.exit(2)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code)
    except typer.Abort:
        sys.exit(130)
    except ClickException as exc:
        import io

        buf = io.StringIO()
        exc.show(file=buf)
        sys.stderr.write(click_message_vi(buf.getvalue()))
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
