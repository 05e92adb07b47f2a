#!/usr/bin/env bash
# Makes a Debian base image of the kit: a minbase debootstrap root of SUITE (bookworm
# for most images; trixie for postgres, whose major the stack's default image has), the
# host's CA bundle trusted inside it, apt set up for small layers, then `docker import`ed.
#
# Usage: mkroot.sh TAG MIRROR [SECURITY_MIRROR] [SUITE]
# Everything that shapes the image is in this file or in its arguments, so build.sh
# can hash them into TAG.
set -euo pipefail

tag=$1 mirror=$2 security=${3:-} suite=${4:-bookworm}
host_bundle=${KIT_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

log() { printf 'base: %s\n' "$*" >&2; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/gaiaflow-kit-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

log "debootstrap $suite from $mirror"
# ca-certificates is in the root from the start: a later apt-get install that pulled it
# in would regenerate the bundle, and the host's extra CAs must survive that.
debootstrap --variant=minbase --include=ca-certificates \
	--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
	"$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	exit 1
}

# --- apt: the host's mirror, no recommends, no docs, no .debs left behind ------------
rm -f "$root/etc/apt/sources.list"
{
	printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' "$mirror" "$suite" "$suite"
	printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	if [[ -n $security ]]; then
		printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$security" "$suite"
		printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	fi
} >"$root/etc/apt/sources.list.d/debian.sources"

cat >"$root/etc/apt/apt.conf.d/90gaiaflow-kit" <<'CONF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF

cat >"$root/etc/dpkg/dpkg.cfg.d/90gaiaflow-kit" <<'CONF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CONF
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root/usr/share/man" "$root/usr/share/info"
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

# Packages must not try to start services while an image is built.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"

# --- CAs: add every certificate the host trusts and Debian's set lacks ----------------
# (this network intercepts TLS; its CA is in the host bundle only). They go in as local
# CAs, so update-ca-certificates keeps them whenever it runs again.
split_certs() { # FILE DIR: one PEM file per certificate
	mkdir -p "$2"
	awk -v dir="$2" '
		/-----BEGIN CERTIFICATE-----/ { n++; f = sprintf("%s/%04d.pem", dir, n) }
		f { print > f }
		/-----END CERTIFICATE-----/ { close(f); f = "" }' "$1"
}
fingerprints() { # DIR: sha256 fingerprint of each PEM file, one per line
	local f
	for f in "$1"/*.pem; do openssl x509 -noout -fingerprint -sha256 -in "$f"; done
}
split_certs "$host_bundle" "$work/host"
split_certs "$root/etc/ssl/certs/ca-certificates.crt" "$work/debian"
fingerprints "$work/debian" | sort -u >"$work/debian.fp"
mkdir -p "$root/usr/local/share/ca-certificates"
added=0
for f in "$work"/host/*.pem; do
	if ! grep -qxF "$(openssl x509 -noout -fingerprint -sha256 -in "$f")" "$work/debian.fp"; then
		added=$((added + 1))
		cp "$f" "$root/usr/local/share/ca-certificates/gaiaflow-kit-host-$(printf '%02d' "$added").crt"
	fi
done
# (its rehash step warns about the bundle file itself; only the exit status matters)
chroot "$root" update-ca-certificates >/dev/null 2>&1
log "added $added host CA certificate(s) to Debian's set"

# Check: every certificate the host trusts is in the image's bundle.
split_certs "$root/etc/ssl/certs/ca-certificates.crt" "$work/image"
fingerprints "$work/image" | sort -u >"$work/image.fp"
if fingerprints "$work/host" | sort -u | comm -23 - "$work/image.fp" | grep -q .; then
	log "the image's CA bundle lacks some of the host's certificates"
	exit 1
fi

# --- clean and import ----------------------------------------------------------------
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
	"$root"/var/log/* "$root"/tmp/* "$root"/root/.cache
: >"$root/etc/machine-id" 2>/dev/null || true

bundle=/etc/ssl/certs/ca-certificates.crt
log "importing as $tag"
tar -C "$root" --numeric-owner -cf - . | docker import \
	--change "LABEL io.gaiaflow.kit=true" \
	--change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
	--change "ENV LANG=C.UTF-8" \
	--change "ENV SSL_CERT_FILE=$bundle" \
	--change "ENV REQUESTS_CA_BUNDLE=$bundle" \
	--change "ENV PIP_CERT=$bundle" \
	--change "ENV CURL_CA_BUNDLE=$bundle" \
	--change 'CMD ["bash"]' \
	- "$tag" >/dev/null
