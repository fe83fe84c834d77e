"""Files that hold personal data are the service's own (issue 19, docs/privacy.md): the SQLite
database, its backups and the parser cache are created readable by the service's user only
(files 0600, folders 0700), whatever the process's umask."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (an existing file keeps the mode
    its operator gave it). SQLite creates its -wal and -shm files with the same mode."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)
    os.chmod(path, FILE_MODE)  # the umask may have taken bits away, never added: exact now


def private_folder(path: Path) -> None:
    """Create the folder with mode 0700, or narrow our own existing one to it."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if path.stat().st_uid == os.getuid():
        os.chmod(path, FOLDER_MODE)
