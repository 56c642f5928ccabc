#!/usr/bin/env bash
# Make sure Debian's Dovecot IMAP server is there for the tests of the replies mailbox
# (tests/invites/test_mailbox.py starts its own with its own configuration; the package's
# system service is never used). Installs dovecot-imapd with apt-get when missing and we are
# root; otherwise says what to install.
set -euo pipefail
[ -x /usr/sbin/dovecot ] && [ -e /usr/lib/dovecot/imap ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing dovecot-imapd with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null
  exit 0
fi
echo "mailbox tests need a Debian package: sudo apt-get install dovecot-imapd" >&2
exit 1
