"""Every output of one command written all or none: export folders, HTML pages, charts.

A command first renders everything in memory, then hands it to :class:`Outputs`, which

1. checks every target before touching anything (a folder that holds files it did not
   write, a file held open by Excel, a path under a file);
2. writes each folder whole under a temporary name beside its target, and each file
   to a temporary name beside it;
3. swaps them in: an old folder or file is moved aside, the new one renamed into place;
   if any step fails, what was moved aside is moved back and the temporaries removed;
4. deletes what was moved aside.

So a reader of an export folder sees the old set or the new one, never a mix; between
the two renames of a swap the folder is briefly absent.  A failed command leaves no
temporary file and no folder it created.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from allocator.errors import ExportError


def _file_mode() -> int:
    """Plain files get the usual permissions (mkstemp would leave them private)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()
DIR_MODE = FILE_MODE | 0o111 & ~(0o666 & ~FILE_MODE)


@dataclass
class _Folder:
    path: Path
    files: dict[str, bytes]
    ours: frozenset[str]  # names an earlier run of the same command may have left there


@dataclass
class Outputs:
    """The files and folders one command writes; :meth:`commit` writes them all or none."""

    folders: list[_Folder] = field(default_factory=list)
    files: dict[Path, bytes] = field(default_factory=dict)

    def folder(self, path: str | Path, files: dict[str, bytes], ours: set[str] | frozenset[str] = frozenset()) -> None:
        """A folder replaced as a whole by ``files``.  An existing folder may only hold names
        in ``ours`` (or in ``files``): anything else is not ours to delete, and is refused."""
        self.folders.append(_Folder(Path(path), dict(files), frozenset(ours) | frozenset(files)))

    def file(self, path: str | Path, data: bytes) -> None:
        """One file replaced in place; others beside it are left alone."""
        self.files[Path(path)] = data

    def check(self) -> None:
        """Check every target and write nothing: for a command that writes its outputs in parts
        (whatif's runs write their folders as they finish), so a bad target stops it before the first."""
        self._gather()
        self._check()

    def commit(self) -> None:
        """Check every target, write everything beside it, then swap it all in (or nothing)."""
        self.check()
        created: list[Path] = []
        staged: list[tuple[Path, Path]] = []  # (temporary, target)
        placed: list[Path] = []
        aside: list[tuple[Path, Path]] = []  # (moved aside, original place)
        try:
            for folder in self.folders:
                _make_parent(folder.path, created)
                staged.append((_stage_folder(folder), folder.path))
            for path, data in self.files.items():
                _make_parent(path, created)
                staged.append((_stage_file(path, data), path))
            while staged:
                temp, target = staged[0]
                if target.exists():
                    moved = _aside(target)
                    os.replace(target, moved)
                    aside.append((moved, target))
                os.replace(temp, target)
                placed.append(target)
                staged.pop(0)
        except OSError as exc:
            _roll_back(placed, aside, staged, created)
            raise ExportError(explain(exc)) from None
        for moved, _ in aside:
            _remove(moved)

    def _gather(self) -> None:
        """A file that lies in a folder this command replaces, at any depth, goes into that folder's
        new set under its relative path (``plots/links.png``): written beside the folder it would be
        moved aside with the old folder before its own rename (``solve --export e --plots e/p``)."""
        folders = {folder.path.absolute(): folder for folder in self.folders}
        for path in list(self.files):
            home = next((folders[p] for p in path.absolute().parents if p in folders), None)
            if home is not None:
                inside = path.absolute().relative_to(home.path.absolute())
                home.files[inside.as_posix()] = self.files.pop(path)
                home.ours |= {inside.parts[0]}

    def _check(self) -> None:
        targets = [folder.path for folder in self.folders] + list(self.files)
        if len({t.resolve() for t in targets}) < len(targets):
            raise ExportError("two outputs of this command have the same path; nothing was written")
        try:
            for folder in self.folders:
                _check_folder(folder)
            for path in self.files:
                _check_file(path)
        except OSError as exc:
            if isinstance(exc, ExportError):
                raise
            raise ExportError(explain(exc)) from None


def _check_folder(folder: _Folder) -> None:
    path = folder.path
    _check_parent(path)
    subfolders = _subfolders(folder)
    _check_nesting(folder, subfolders)
    if not path.exists():
        return
    if not path.is_dir():
        raise ExportError(f"{path} is a file, not a folder; nothing was written")
    foreign = sorted(entry.name for entry in path.iterdir() if entry.name not in folder.ours)
    foreign += _foreign_inside(folder, subfolders)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise ExportError(f"{path} holds files this command did not write ({shown}); the export replaces the "
                          f"folder as a whole, so choose an empty or new folder. Nothing was written.")
    for inside in [path, *(path / name for name in subfolders if (path / name).is_dir())]:
        for entry in inside.iterdir():
            if entry.is_file():
                _check_replaceable(entry)


def _subfolders(folder: _Folder) -> set[str]:
    """The folders inside ``folder`` that its nested files (``plots/links.png``) go into."""
    return {parent.as_posix() for name in folder.files for parent in Path(name).parents if parent != Path(".")}


def _check_nesting(folder: _Folder, subfolders: set[str]) -> None:
    """A name written both as a file and as a folder (``--plots e/summary.json``) cannot be staged."""
    clash = sorted(set(folder.files) & subfolders)
    if clash:
        raise ExportError(f"{folder.path / clash[0]} would be both a file and a folder of this command's "
                          f"outputs; nothing was written")


def _foreign_inside(folder: _Folder, subfolders: set[str]) -> list[str]:
    """What an existing subfolder holds beyond the files written into it: replacing the folder as a
    whole would delete it, and it is not ours to delete."""
    foreign = []
    for name in sorted(subfolders):
        existing = folder.path / name
        if existing.is_dir():
            foreign += [f"{name}/{entry.name}" for entry in existing.iterdir()
                        if f"{name}/{entry.name}" not in folder.files and f"{name}/{entry.name}" not in subfolders]
    return sorted(foreign)


def _check_file(path: Path) -> None:
    _check_parent(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder, not a file; nothing was written")
    if path.exists():
        _check_replaceable(path)


def _check_parent(path: Path) -> None:
    """The nearest existing ancestor must be a folder we may write in."""
    for ancestor in path.absolute().parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise ExportError(f"cannot write {path}: {ancestor} is a file, not a folder. Nothing was written.")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise ExportError(f"cannot write {path}: {ancestor} is read-only. Nothing was written.")
            return


def _check_replaceable(target: Path) -> None:
    """A file Excel holds open cannot be replaced on Windows; find out before touching anything."""
    with open(target, "r+b"):
        pass


def _make_parent(path: Path, created: list[Path]) -> None:
    missing = [p for p in path.absolute().parents if not p.exists()]
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:  # made meanwhile by another process (a sweep's workers share --out): not ours
            if not directory.is_dir():
                raise
            continue
        created.append(directory)


def _stage_folder(folder: _Folder) -> Path:
    temp = Path(tempfile.mkdtemp(dir=folder.path.parent, prefix=f".{folder.path.name}.new-"))
    os.chmod(temp, DIR_MODE)
    for name in sorted(_subfolders(folder), key=len):
        (temp / name).mkdir()
        os.chmod(temp / name, DIR_MODE)
    for name, data in folder.files.items():
        with open(temp / name, "wb") as out:
            out.write(data)
        os.chmod(temp / name, FILE_MODE)
    return temp


def _stage_file(path: Path, data: bytes) -> Path:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.chmod(temp, FILE_MODE)
    return Path(temp)


def _aside(target: Path) -> Path:
    """A free name beside ``target`` to move the old one to until the swap is done."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.old-")
    os.close(handle)
    os.unlink(name)
    return Path(name)


def _roll_back(placed: list[Path], aside: list[tuple[Path, Path]], staged: list[tuple[Path, Path]],
               created: list[Path]) -> None:
    for target in placed:
        _remove(target)
    for moved, original in reversed(aside):
        os.replace(moved, original)
    for temp, _ in staged:
        _remove(temp)
    for directory in reversed(created):
        try:
            directory.rmdir()
        except OSError:
            pass


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def explain(exc: OSError) -> str:
    name = exc.filename or ""
    if isinstance(exc, PermissionError):
        return (f"cannot write {name}: it is open in another program (Excel?) or read-only; close it and run "
                f"again. Nothing was written.")
    return f"cannot write {name}: {exc.strerror or exc}. Nothing was written."
