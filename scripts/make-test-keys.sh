#!/usr/bin/env bash
# Makes the public test keys of harness/pki/test-keys/ with the openssl
# command line (OpenSSL 3). Run from anywhere:
#
#     scripts/make-test-keys.sh [DIR]
#
# Each pool is one PEM file of PKCS#8 private keys, in pool order. The DSA
# keys share one parameter set, made first and kept beside them.
#
# Running it again makes NEW keys: every certificate the harness issues, and
# the golden fingerprints in harness/pki/tests.rs, change with them. The
# committed keys are the ones the harness uses; this script only says how
# they were made.
set -euo pipefail

dir=${1:-"$(dirname "$0")/../harness/pki/test-keys"}
mkdir -p "$dir"

# pool FILE COUNT OPENSSL-GENPKEY-ARGS...
pool() {
    local file=$1 count=$2
    shift 2
    : >"$dir/$file.tmp"
    for _ in $(seq "$count"); do
        openssl genpkey -quiet "$@" >>"$dir/$file.tmp"
    done
    mv "$dir/$file.tmp" "$dir/$file"
}

pool rsa-2048.pem 64 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
pool rsa-1024.pem 16 -algorithm RSA -pkeyopt rsa_keygen_bits:1024
pool rsa-4096.pem 8 -algorithm RSA -pkeyopt rsa_keygen_bits:4096
pool ecdsa-p256.pem 32 -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve
pool ecdsa-p384.pem 32 -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve
pool ecdsa-p521.pem 16 -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -pkeyopt ec_param_enc:named_curve
openssl genpkey -quiet -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 \
    -pkeyopt dsa_paramgen_q_bits:256 -pkeyopt dsa_paramgen_md:sha256 -out "$dir/dsa-2048-params.pem"
pool dsa-2048.pem 8 -paramfile "$dir/dsa-2048-params.pem"
