#!/usr/bin/env bash
# Make sure Debian's Dovecot IMAP server is there for the tests of the replies mailbox
# (tests/invites/test_mailbox.py starts its own with its own configuration; the package's
# system service is never used). Installs dovecot-imapd with apt-get when missing and we are
# root; otherwise says what to install.
set -euo pipefail
. "$(dirname "$0")/apt-packages.sh"
[ -x /usr/sbin/dovecot ] && [ -e /usr/lib/dovecot/imap ] && exit 0
install_or_explain "mailbox tests need a Debian package" dovecot-imapd
