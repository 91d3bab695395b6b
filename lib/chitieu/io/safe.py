"""Safe writing and reading: every file and folder chitieu writes goes through here, so that a crash, a full disk,
an exception or a second process never leaves half a file or half a folder, and the previous version stays until the
new one is complete; and every input is read within :data:`LIMITS`.

- files: :func:`atomic_output`, :func:`atomic_write_bytes` (outputs; never inside data/, params/, notebooks/);
- folders: :func:`atomic_folder` / :func:`swap_folder` (a report, ``compare/``) and :func:`recover_folders`;
- ``data/``: :func:`data_lock` around every write, :class:`FolderTransaction` for several files and folders at once,
  :func:`recover_transactions` / :func:`settle` after a kill;
- reading: :func:`read_limited`, :func:`check_regular_file`, :func:`check_zip` (no FIFO, no device, no zip bomb).
"""
from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chitieu.errors import InputError, OutputError

__all__ = ["atomic_output", "on_process_exit", "atomic_write_bytes", "OutputError", "spreadsheet_text", "FORMULA_STARTS",
           "Limits", "LIMITS", "FileRefused", "check_regular_file", "read_limited", "check_zip",
           "swap_folder", "atomic_folder", "recover_folders", "temp_sibling",
           "data_lock", "DataBusy", "DEFAULT_WAIT", "FolderTransaction", "recover_transactions", "settle",
           "pending_transactions"]


@contextmanager
def atomic_output(path: Path, *, guard: bool = True):
    """A binary file handle on a temporary file beside ``path``, renamed over ``path`` only when the block ends
    without error: a crash or an exception never leaves half a file, and the old file stays until then.

    Raises :class:`OutputError` (an ``OSError`` naming ``path``) when it cannot be written: a folder, a missing or
    read-only location; and :class:`~chitieu.errors.ConfigError` for a path inside ``data/``, ``params/`` or
    ``notebooks/`` (:func:`chitieu.config.check_output_path`; ``guard=False`` only for chitieu's own writes there).
    """
    path = Path(path)
    if guard:
        from chitieu.config import check_output_path

        check_output_path(path)
    if path.is_dir():
        raise OutputError(errno.EISDIR, "là một thư mục, cần tên tệp (is a folder, not a file name)", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(exc.errno, f"không ghi được (cannot write): {exc.strerror or exc}", str(path)) from None
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)  # mkstemp makes 0600; an output reads like any other file
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(exc.errno, f"không ghi được (cannot write): {exc.strerror or exc}", str(path)) from None
        raise


def atomic_write_bytes(path: Path, data: bytes, *, guard: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path, guard=guard) as f:
        f.write(data)


#: first characters that make Excel or LibreOffice read a text cell as a formula (OWASP "CSV injection"): ``=``,
#: ``+``, ``-``, ``@``, tab, carriage return (and the full-width ``＝ ＋ － ＠`` that some versions also accept)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_text(value):
    """A cell value safe in a spreadsheet or CSV output: text that a spreadsheet would run as a formula gets a
    leading apostrophe (``'=1+1``), as OWASP advises; numbers, dates, None and other text pass unchanged.

    Use it on every *text* cell of an .xlsx or CSV that chitieu writes (names, units, locality names, notes,
    sources). A number must stay a number: only ``str`` values are touched, so ``-2.5`` stays ``-2.5``.

    >>> spreadsheet_text("=1+1"), spreadsheet_text("-2,5%"), spreadsheet_text(-2.5)
    ("'=1+1", "'-2,5%", -2.5)
    >>> spreadsheet_text("Thu nhập"), spreadsheet_text("=")   # a lone sign (the comparator code "=") holds nothing
    ('Thu nhập', '=')
    """
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# ---------------------------------------------------------------------------------------------------------------
# Reading with limits: a FIFO, a device, a link to /dev/zero or a file too large is refused before it is read
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """What chitieu reads at most; a larger input is refused with a message naming the limit (docs/ERRORS.md).

    Generous for real documents (a *Biểu kết quả* has tens to a few hundred rows; the largest seed document is
    130 KB), small enough that nothing chitieu reads can take more than a few seconds or about 500 MB.
    """

    table_file_bytes: int = 50_000_000       # a .docx / .xlsx / text table to import, as stored on disk
    text_file_bytes: int = 20_000_000        # a text file (table, draft, data/sources/*.txt)
    unzipped_bytes: int = 200_000_000        # the sum of the uncompressed sizes in a .docx / .xlsx
    xml_part_bytes: int = 25_000_000         # one XML part of a .docx / .xlsx, uncompressed (a sheet, document.xml)
    zip_members: int = 2_000                 # files inside a .docx / .xlsx
    table_rows: int = 2_000                  # rows of the table to import
    table_columns: int = 60                  # columns of the table to import
    table_cells: int = 60_000                # cells of the table to import
    cell_chars: int = 4_000                  # characters in one cell
    csv_bytes: int = 20_000_000              # one CSV file of data/
    csv_rows: int = 20_000                   # records of one CSV file of data/
    params_bytes: int = 64_000               # params/<locality>.yaml
    magnitude: float = 1e15                  # |value| of a number in data/ (999 nghìn tỷ)
    smallest: float = 1e-6                   # |value| of a non-zero number in data/


LIMITS = Limits()


def fmt_int(n: int) -> str:
    """``50000`` → ``'50.000'`` (Vietnamese grouping, for messages)."""
    return f"{int(n):,}".replace(",", ".")


def fmt_bytes(n: int) -> str:
    """A size for messages: ``'20 MB'``, ``'1,3 GB'``, ``'512 byte'``."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            value = n / size
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{n} byte"


class FileRefused(InputError):
    """A file chitieu will not read: not a regular file (a FIFO, a device, a folder) or larger than a limit.
    ``reason`` is the message without the file's name (for a :class:`~chitieu.errors.Problem` naming it)."""

    def __init__(self, label: str, reason: str):
        self.label, self.reason = label, reason
        super().__init__(f"{label}: {reason}")


def check_regular_file(path: Path, limit: int | None = None, *, label: str | None = None) -> os.stat_result:
    """``os.stat`` of ``path`` (links followed) when it is a regular file within ``limit`` bytes, else
    :class:`FileRefused` saying what it is instead. Nothing is opened: a FIFO never blocks, a device is never read."""
    path = Path(path)
    label = label or str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileRefused(label, "không có tệp này (file not found)") from None
    except OSError as exc:
        raise FileRefused(label, f"không đọc được tệp: {exc.strerror or exc} (cannot read)") from None
    if stat.S_ISDIR(st.st_mode):
        raise FileRefused(label, "là một thư mục, không phải tệp (a folder, not a file)")
    if not stat.S_ISREG(st.st_mode):
        kind = ("một ống FIFO" if stat.S_ISFIFO(st.st_mode) else "một thiết bị" if stat.S_ISCHR(st.st_mode)
                or stat.S_ISBLK(st.st_mode) else "một socket" if stat.S_ISSOCK(st.st_mode) else "không phải tệp thường")
        raise FileRefused(label, f"là {kind}, không phải tệp thường: chitieu chỉ đọc tệp thường (not a regular file)")
    if limit is not None and st.st_size > limit:
        raise FileRefused(label, f"tệp lớn {fmt_bytes(st.st_size)}, vượt giới hạn {fmt_bytes(limit)} "
                                 f"(file larger than the limit of {fmt_bytes(limit)})")
    return st


def read_limited(path: Path, limit: int, *, label: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; :class:`FileRefused` otherwise (see
    :func:`check_regular_file`). Opened without blocking and checked again once open, so a file swapped for a FIFO
    in between is refused too; never more than ``limit`` bytes are read, whatever the file grows to."""
    path = Path(path)
    label = label or str(path)
    check_regular_file(path, limit, label=label)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileRefused(label, f"không đọc được tệp: {exc.strerror or exc} (cannot read)") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileRefused(label, "không phải tệp thường (not a regular file)")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(label, f"tệp lớn hơn giới hạn {fmt_bytes(limit)} (file larger than the limit)")
    return data


def check_zip(path: Path, *, label: str | None = None, limits: Limits | None = None) -> None:
    """Refuse a .docx / .xlsx whose zip directory declares more than the limits (:class:`FileRefused`): the total
    uncompressed size, one XML part's size, the number of files. Only the directory is read: a zip bomb is refused
    before a byte of it is inflated. (Python's ``zipfile`` never inflates a member beyond its declared size, so the
    declared sizes bound what the readers behind it can see.)"""
    import zipfile

    limits = limits or LIMITS
    label = label or Path(path).name
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRefused(label, f"không mở được: không phải tệp zip hợp lệ, có lẽ hỏng hay đổi đuôi ({exc}) (not a "
                                 "valid .docx/.xlsx)") from None
    if len(infos) > limits.zip_members:
        raise FileRefused(label, f"có {fmt_int(len(infos))} tệp bên trong, vượt giới hạn {fmt_int(limits.zip_members)} "
                                 "(too many parts)")
    total = sum(max(i.file_size, 0) for i in infos)
    if total > limits.unzipped_bytes:
        raise FileRefused(label, f"khi giải nén lớn {fmt_bytes(total)}, vượt giới hạn {fmt_bytes(limits.unzipped_bytes)} "
                                 f"(uncompressed size over the limit: a zip bomb, or a file too large to read)")
    for i in infos:
        if i.filename.lower().endswith((".xml", ".rels")) and i.file_size > limits.xml_part_bytes:
            raise FileRefused(label, f"phần '{i.filename}' giải nén lớn {fmt_bytes(i.file_size)}, vượt giới hạn "
                                     f"{fmt_bytes(limits.xml_part_bytes)} cho một phần XML (an XML part over the "
                                     "limit: a table far larger than a Biểu kết quả, or a zip bomb)")


# ---------------------------------------------------------------------------------------------------------------
# Folders written whole: build beside, swap in atomically, the previous version kept until the new one is complete
# ---------------------------------------------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2 = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``). False when the system or
    the filesystem cannot (the caller then uses two renames)."""
    global _renameat2
    if _renameat2 is None:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            fn = libc.renameat2
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            fn.restype = ctypes.c_int
            _renameat2 = fn
        except (OSError, AttributeError):
            _renameat2 = False
    if not _renameat2:
        return False
    import ctypes

    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _token() -> str:
    return secrets.token_hex(4)


def temp_sibling(final: Path, kind: str = "tmp", token: str | None = None) -> Path:
    """The name of a temporary folder beside ``final``: ``.<kind>-<name>-<pid>-<token>`` (``kind`` = ``tmp`` or
    ``old``). The pid says which process owns it (:func:`recover_folders` removes only those of dead processes)."""
    final = Path(final)
    token = token or _token()
    if not re.fullmatch(r"[A-Za-z0-9_]+", token):
        raise ValueError(f"a folder token is letters, digits and '_': {token!r}")
    return final.parent / f".{kind}-{final.name}-{os.getpid()}-{token}"


_TEMP_NAME = re.compile(r"^\.(?P<kind>tmp|old)-(?P<name>.+)-(?P<pid>[0-9]+)-(?P<token>[A-Za-z0-9_]+)$")


def swap_folder(new: Path, final: Path) -> None:
    """Put the complete folder ``new`` at ``final`` and remove the previous ``final``.

    At every instant ``final`` is the whole previous folder or the whole new one: on Linux the two are exchanged in
    one step (``renameat2(RENAME_EXCHANGE)``); where that is not available, the previous folder is first renamed to
    ``.old-<name>-<pid>-<token>`` beside it and :func:`recover_folders` puts it back if the process dies between
    the two renames. Raises :class:`OutputError` naming ``final`` when the folder cannot be placed.
    """
    new, final = Path(new), Path(final)
    try:
        if os.path.lexists(final):
            if _exchange(new, final):
                shutil.rmtree(new, ignore_errors=True)  # new's name now holds the previous version
                _fsync_dir(final.parent)
                return
            old = temp_sibling(final, "old")
            os.rename(final, old)
            try:
                os.rename(new, final)
            except BaseException:
                os.rename(old, final)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(new, final)
        _fsync_dir(final.parent)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(exc.errno, f"không đặt được thư mục vào chỗ (cannot move the folder into place): "
                                     f"{exc.strerror or exc}", str(final)) from None


@contextmanager
def atomic_folder(final: Path, *, copy_existing: bool = False, token: str | None = None) -> Iterator[Path]:
    """A new, empty folder beside ``final`` (``.tmp-<name>-<pid>-<token>``, readable like any folder) to fill; when
    the block ends without error it replaces ``final`` whole (:func:`swap_folder`); on any error or interruption it
    is removed and ``final`` is untouched. ``copy_existing=True`` starts from a copy of the current ``final``
    (links copied as links). ``token`` (default: random) lets a caller tag its folders, e.g. with a run id. A
    ``final`` inside ``data/``, ``params/`` or ``notebooks/`` is refused (:func:`chitieu.config.check_output_path`).

    >>> with atomic_folder(out / "muong-ang") as tmp:            # doctest: +SKIP
    ...     (tmp / "report.html").write_text(html)
    """
    from chitieu.config import check_output_path

    final = Path(final)
    check_output_path(final, what="thư mục ra")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_sibling(final, "tmp", token)
        if copy_existing and final.is_dir():
            shutil.copytree(final, tmp, symlinks=True)
        else:
            tmp.mkdir()
            os.chmod(tmp, 0o777 & ~_umask())
    except OSError as exc:
        raise OutputError(exc.errno, f"không ghi được (cannot write): {exc.strerror or exc}", str(final)) from None
    try:
        yield tmp
        swap_folder(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def recover_folders(parent: Path, *, name: str | None = None) -> list[Path]:
    """Undo what a killed :func:`atomic_folder` / :func:`swap_folder` left in ``parent``, touching only folders of
    processes that are no longer running (another run's folders are left alone): a ``.old-<name>-…`` whose
    ``<name>`` is missing is put back, any other ``.old-…`` and every ``.tmp-…`` is removed. ``name`` limits it to
    one folder. Returns what was restored or removed."""
    parent = Path(parent)
    done: list[Path] = []
    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return done
    for entry in entries:
        m = _TEMP_NAME.match(entry.name)
        if not m or (name is not None and m["name"] != name) or _pid_alive(int(m["pid"])):
            continue
        final = parent / m["name"]
        if m["kind"] == "old" and not os.path.lexists(final):
            os.rename(entry, final)
        else:
            shutil.rmtree(entry, ignore_errors=True)
        done.append(entry)
    return done


# ---------------------------------------------------------------------------------------------------------------
# The lock of a data folder, and writes of several files and folders as one transaction
# ---------------------------------------------------------------------------------------------------------------

DEFAULT_WAIT = 60.0  # seconds a writer waits for another one before giving up (--wait)


class DataBusy(InputError):
    """Another process holds the lock of the data folder (``another import is running``) beyond the wait."""


def _lock_holder(fd: int) -> str:
    """Who holds the ``flock`` on the folder open as ``fd``: `` (tiến trình PID: command)`` from ``/proc/locks``
    (Linux), or ``""`` when it cannot be told."""
    try:
        st = os.fstat(fd)
        key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
        for line in Path("/proc/locks").read_text().splitlines():
            parts = line.split()
            if "FLOCK" in parts and any(p.lower() == key for p in parts):
                pid = next(p for p in parts[parts.index("FLOCK") + 2:] if p.isdigit())
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
                words = cmd.split()
                shown = " ".join([os.path.basename(words[0]), *words[1:]]) if words else ""
                return f" (tiến trình {pid}: {shown[:100]})"
    except (OSError, StopIteration, ValueError):
        pass
    return ""


@contextmanager
def data_lock(root: Path, *, wait: float | None = DEFAULT_WAIT, on_wait: Callable[[str], None] | None = None,
              what: str = "ghi vào") -> Iterator[None]:
    """Hold the lock of the data folder ``root`` for the block: every write to ``data/`` happens under it, so two
    imports never interleave (two into two new localities both land; into the same one, the second waits and then
    sees the first's data).

    The lock is an ``flock`` on the folder itself: nothing is created inside ``data/`` to take it, a process that
    dies releases it at once, and it is shared by every process on the machine whatever its current folder. When
    another process holds it, ``on_wait(message)`` is called once — *another import is running* (who, from
    ``/proc/locks``) — and the lock is awaited for ``wait`` seconds (``None``: for ever; ``0``: not at all); then
    :class:`DataBusy` says who holds it and how to wait longer. A folder that cannot be opened is an
    :class:`InputError`.
    """
    import fcntl

    root = Path(root)
    try:
        fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"{root}: không mở được thư mục dữ liệu để khóa ({exc.strerror or exc}) (cannot lock the data "
                         "folder)") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(fd)
            if on_wait is not None and (wait is None or wait > 0):
                shown = "không giới hạn" if wait is None else f"tối đa {wait:g} s"
                on_wait(f"Một lần nhập khác đang {what} {root}{holder} — đang chờ ({shown}, --wait) "
                        "(another import is running; waiting)")
            deadline = None if wait is None else time.monotonic() + max(wait, 0)
            pause = 0.02
            while True:
                if deadline is not None and time.monotonic() >= deadline:
                    raise DataBusy(f"Một lần nhập khác đang {what} {root}{holder}; đã chờ {wait or 0:g} s. Chạy lại "
                                   "sau, hoặc thêm --wait GIÂY để chờ lâu hơn (another import is running)")
                time.sleep(pause if deadline is None else max(0.0, min(pause, deadline - time.monotonic())))
                pause = min(pause * 1.5, 0.25)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    continue
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


TXN_PREFIX = ".txn-"
_JOURNAL = "journal.json"


class FolderTransaction:
    """Changes to several files and folders of one folder (``data/``), applied all or nothing — even if the
    process is killed at any instant. Use it under :func:`data_lock`.

    Stage everything in ``root/.txn-<pid>-<token>/`` (:meth:`stage_folder`, :meth:`stage_file`), check it there,
    then :meth:`commit`: the journal is written (the commit point), then each item is moved into place — a folder
    with :func:`swap_folder`'s exchange, a file with ``os.replace`` — and the staging folder is removed. A kill
    before the journal leaves ``data/`` as it was; after it, :func:`recover_transactions` (run by the next writer,
    and by ``check`` / ``load_locality`` when the lock is free) finishes the same steps. Without :meth:`commit`
    (an exception, ``--dry-run``) nothing is applied and the staging folder is removed.

    >>> with data_lock(root), FolderTransaction(root) as txn:     # doctest: +SKIP
    ...     folder = txn.stage_folder("xa-moi")                   # a copy of data/xa-moi/ (or empty), to change
    ...     (folder / "values.csv").write_bytes(values)
    ...     txn.stage_file("localities.csv", new_localities)
    ...     txn.commit()
    """

    def __init__(self, root: Path, *, token: str | None = None):
        self.root = Path(root)
        self.staging = self.root / f"{TXN_PREFIX}{os.getpid()}-{token or _token()}"
        self.items: list[dict] = []
        self.committed = False
        self.staging.mkdir()

    def __enter__(self) -> "FolderTransaction":
        return self

    def __exit__(self, *exc) -> None:
        if not self.committed:
            self.abort()

    def _item(self) -> Path:
        return self.staging / f"item-{len(self.items)}"

    def stage_folder(self, name: str, *, copy_existing: bool = True) -> Path:
        """A folder to become ``root/name``: a copy of the current one (links as links) or a new empty one."""
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"not a folder name of the data folder: {name!r}")
        staged = self._item()
        current = self.root / name
        if copy_existing and current.is_dir():
            shutil.copytree(current, staged, symlinks=True)
        else:
            staged.mkdir()
            os.chmod(staged, 0o777 & ~_umask())
        self.items.append({"kind": "folder", "target": name, "staged": staged.name})
        return staged

    def stage_file(self, relpath: str, data: bytes, *, only_if_absent: bool = False) -> Path:
        """A file to become ``root/relpath`` (``localities.csv``, ``sources/901_….txt``); ``only_if_absent``: left
        as it is when the file already exists."""
        staged = self._item()
        with open(staged, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(staged, 0o666 & ~_umask())
        self.items.append({"kind": "file", "target": relpath, "staged": staged.name, "only_if_absent": only_if_absent})
        return staged

    def commit(self) -> None:
        """Write the journal (from here on the change happens, even across a kill), apply it, clean up."""
        for item in self.items:
            if item["kind"] == "folder":
                st = os.lstat(self.staging / item["staged"])
                item["ino"], item["dev"] = st.st_ino, st.st_dev
        journal = json.dumps({"version": 1, "items": self.items}, ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write_bytes(self.staging / _JOURNAL, journal, guard=False)
        _fsync_dir(self.staging)
        self.committed = True
        _apply(self.root, self.staging, self.items)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _apply(root: Path, staging: Path, items: list[dict]) -> None:
    """Move each staged item into place; every step can be repeated after a kill (recovery runs it again)."""
    for item in items:
        staged, target = staging / item["staged"], root / item["target"]
        if item["kind"] == "folder":
            if not os.path.lexists(staged):
                continue  # renamed into place
            st = os.lstat(staged)
            if (st.st_ino, st.st_dev) != (item["ino"], item["dev"]):
                continue  # exchanged: the staged name holds the previous version now
            if os.path.lexists(target):
                if not _exchange(staged, target):
                    os.rename(target, staging / f"{item['staged']}.old")
                    os.rename(staged, target)
            else:
                os.rename(staged, target)
        elif os.path.lexists(staged):
            target.parent.mkdir(parents=True, exist_ok=True)
            if item.get("only_if_absent") and os.path.lexists(target):
                continue
            os.replace(staged, target)
    for folder in {root, *((root / i["target"]).parent for i in items)}:
        _fsync_dir(folder)
    (staging / _JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def pending_transactions(root: Path) -> list[Path]:
    """The staging folders of transactions in ``root`` (left by a killed writer, or of one running now)."""
    try:
        return sorted(p for p in Path(root).iterdir() if p.name.startswith(TXN_PREFIX) and p.is_dir())
    except OSError:
        return []


def recover_transactions(root: Path) -> list[str]:
    """Finish or undo the transactions a killed writer left in ``root``. Call it holding :func:`data_lock` (so no
    live writer owns them): a committed one (its journal written) is applied, an uncommitted one removed.
    Returns one line per transaction, saying which."""
    said = []
    for staging in pending_transactions(root):
        journal = staging / _JOURNAL
        if journal.exists():
            items = json.loads(journal.read_text(encoding="utf-8"))["items"]
            _apply(Path(root), staging, items)
            said.append(f"{staging.name}: đã hoàn tất lần ghi bị ngắt (an interrupted import, finished)")
        else:
            shutil.rmtree(staging, ignore_errors=True)
            said.append(f"{staging.name}: đã bỏ lần ghi chưa xong (an interrupted import, undone)")
    return said


def settle(root: Path) -> list[str]:
    """For readers: if a killed writer left a transaction in ``root`` and no writer holds the lock now, finish or
    undo it (:func:`recover_transactions`); never waits, and does nothing in a folder it cannot lock (read-only)."""
    if not pending_transactions(root):
        return []
    try:
        with data_lock(root, wait=0):
            return recover_transactions(root)
    except (InputError, OSError):
        return []


def on_process_exit(callback) -> None:
    """Run ``callback`` when this process ends: at interpreter exit (the main process) and through
    multiprocessing's finalizers (pool workers leave through ``os._exit``, which skips atexit)."""
    import atexit
    from multiprocessing import util

    atexit.register(callback)
    util.Finalize(None, callback, exitpriority=10)
