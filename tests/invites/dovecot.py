"""A real IMAP server for the mailbox tests: Debian's Dovecot, started once per session on a
free localhost port with a configuration of its own (plaintext on 127.0.0.1, no TLS), its
maildirs in a throw-away folder. Any user name logs in with PASSWORD and gets an empty
mailbox of their own, so every test takes a fresh user instead of cleaning up."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support import free_port

DOVECOT = Path("/usr/sbin/dovecot")
PASSWORD = "imap-test-secret"


class Dovecot:
    def __init__(self) -> None:
        self.port = free_port()
        # Not under pytest's tmp folder (0700, root's): Dovecot's unprivileged processes
        # must reach their sockets and the mail user its maildirs.
        self.folder = Path(tempfile.mkdtemp(prefix="mdk-dovecot-"))
        self.folder.chmod(0o755)
        internal, login, mail_user = _users()
        mail = self.folder / "mail"
        mail.mkdir()
        os.chown(mail, mail_user.pw_uid, mail_user.pw_gid)
        self.log = self.folder / "dovecot.log"
        config = self.folder / "dovecot.conf"
        config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.folder / 'run'}
state_dir = {self.folder / 'state'}
log_path = {self.log}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={mail}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  # no growing delay after the refused-login test
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""")
        with (self.folder / "stdout.log").open("wb") as out:
            self.process = subprocess.Popen([str(DOVECOT), "-F", "-c", str(config)],
                                            stdout=out, stderr=subprocess.STDOUT)
        self._wait_until_listening()

    def _output(self) -> str:
        texts = [path.read_text(errors="replace") for path in
                 (self.folder / "stdout.log", self.log) if path.exists()]
        return "\n".join(texts)

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("Dovecot stopped:\n" + self._output())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("Dovecot did not start:\n" + self._output())

    def connect(self, user: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(user, PASSWORD)
        return imap

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _users() -> tuple[str, str, pwd.struct_passwd]:
    """(internal user, login user, the maildirs' owner). As root, the package's own users
    (Dovecot refuses root as a mail user); otherwise ourselves for everything."""
    if os.getuid() == 0:
        return "dovecot", "dovenull", pwd.getpwnam("dovecot")
    me = pwd.getpwuid(os.getuid())
    return me.pw_name, me.pw_name, me
