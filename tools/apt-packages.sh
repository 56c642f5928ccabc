# Sourced by tools/ensure-*.sh. `install_or_explain "<who> need(s) ..." PACKAGE...` installs
# the Debian packages with apt-get when we are root (and ends the script: done), otherwise
# prints one line saying what to install and ends the script with status 1.
install_or_explain() {
  local needs=$1
  shift
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    exit 0
  fi
  echo "$needs: sudo apt-get install $*" >&2
  exit 1
}
