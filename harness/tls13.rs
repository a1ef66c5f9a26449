//! TLS 1.3's key schedule and record protection (RFC 8446 §7.1, §7.3,
//! §5.2–5.3, §4.4.4), with aws-lc-rs: what the harness needs to read a
//! flight with the secrets a side logged ([`crate::flight`]), and, as a
//! client with its own key share, to read a server's flight and finish a
//! handshake itself (`infer`). The CCM suites, which aws-lc-rs does not
//! offer as a TLS AEAD here, are not read.
//!
//! Uses nothing else of the crate.

use aws_lc_rs::{aead, digest, hkdf, hmac};

/// The hash of a TLS 1.3 suite, for HKDF, digests and HMAC.
struct Hash {
    hkdf: hkdf::Algorithm,
    digest: &'static digest::Algorithm,
    hmac: hmac::Algorithm,
}

fn hash_of(suite: u16) -> Option<Hash> {
    match suite {
        0x1301 | 0x1303 => Some(Hash {
            hkdf: hkdf::HKDF_SHA256,
            digest: &digest::SHA256,
            hmac: hmac::HMAC_SHA256,
        }),
        0x1302 => Some(Hash {
            hkdf: hkdf::HKDF_SHA384,
            digest: &digest::SHA384,
            hmac: hmac::HMAC_SHA384,
        }),
        _ => None,
    }
}

/// One direction's record protection under one traffic secret.
pub struct RecordKeys {
    key: aead::LessSafeKey,
    iv: [u8; aead::NONCE_LEN],
}

/// An output length for HKDF-Expand.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl RecordKeys {
    /// The key and IV of `secret` for TLS 1.3 suite `suite` (RFC 8446 §7.3);
    /// `None` for a suite whose AEAD aws-lc-rs does not offer here (CCM).
    pub fn derive(suite: u16, secret: &[u8]) -> Option<RecordKeys> {
        let algorithm = match suite {
            0x1301 => &aead::AES_128_GCM,
            0x1302 => &aead::AES_256_GCM,
            0x1303 => &aead::CHACHA20_POLY1305,
            _ => return None,
        };
        let hash = hash_of(suite)?;
        // A traffic secret is as long as the suite's hash (RFC 8446 §7.1);
        // a key log line that says otherwise is not one to derive from.
        if secret.len() != hash.digest.output_len() {
            return None;
        }
        let prk = hkdf::Prk::new_less_safe(hash.hkdf, secret);
        let key = expand_label(&prk, "key", &[], algorithm.key_len())?;
        let iv = expand_label(&prk, "iv", &[], aead::NONCE_LEN)?;
        Some(RecordKeys {
            key: aead::LessSafeKey::new(aead::UnboundKey::new(algorithm, &key).ok()?),
            iv: iv.try_into().ok()?,
        })
    }

    /// The per-record nonce of record number `seq` (RFC 8446 §5.3).
    fn nonce(&self, seq: u64) -> aead::Nonce {
        let mut nonce = self.iv;
        for (n, s) in nonce.iter_mut().rev().zip(seq.to_be_bytes().iter().rev()) {
            *n ^= s;
        }
        aead::Nonce::assume_unique_for_key(nonce)
    }

    /// Decrypts record number `seq` (its payload, without the header):
    /// the inner content type and the content.
    pub fn open(&self, seq: u64, payload: &[u8]) -> Option<(u8, Vec<u8>)> {
        let len = u16::try_from(payload.len()).ok()?.to_be_bytes();
        let header = [23, 3, 3, len[0], len[1]];
        let mut buffer = payload.to_vec();
        let plain = self
            .key
            .open_in_place(self.nonce(seq), aead::Aad::from(header), &mut buffer)
            .ok()?;
        let end = plain.iter().rposition(|b| *b != 0)?;
        Some((plain[end], plain[..end].to_vec()))
    }

    /// Encrypts `content` of inner type `kind` as record number `seq`:
    /// the whole record, header included (RFC 8446 §5.2).
    pub fn seal(&self, seq: u64, kind: u8, content: &[u8]) -> Option<Vec<u8>> {
        let mut buffer = [content, &[kind]].concat();
        let len = u16::try_from(buffer.len() + self.key.algorithm().tag_len())
            .ok()?
            .to_be_bytes();
        let header = [23, 3, 3, len[0], len[1]];
        self.key
            .seal_in_place_append_tag(self.nonce(seq), aead::Aad::from(header), &mut buffer)
            .ok()?;
        Some([&header[..], &buffer].concat())
    }
}

/// HKDF-Expand-Label(secret, label, context, len) (RFC 8446 §7.1).
fn expand_label(prk: &hkdf::Prk, label: &str, context: &[u8], len: usize) -> Option<Vec<u8>> {
    let full = format!("tls13 {label}");
    let mut info = u16::try_from(len).ok()?.to_be_bytes().to_vec();
    info.push(u8::try_from(full.len()).ok()?);
    info.extend_from_slice(full.as_bytes());
    info.push(u8::try_from(context.len()).ok()?);
    info.extend_from_slice(context);
    let mut out = vec![0; len];
    prk.expand(&[&info], Len(len)).ok()?.fill(&mut out).ok()?;
    Some(out)
}

/// The secrets of a TLS 1.3 handshake without a PSK, from its (EC)DHE
/// shared secret (RFC 8446 §7.1).
pub struct Schedule {
    hash: Hash,
    handshake: hkdf::Prk,
    master: hkdf::Prk,
}

impl Schedule {
    /// The handshake and master secrets for `suite` and `shared`.
    pub fn new(suite: u16, shared: &[u8]) -> Option<Schedule> {
        let hash = hash_of(suite)?;
        let len = hash.digest.output_len();
        let zeros = vec![0u8; len];
        let empty = digest::digest(hash.digest, &[]);
        let early = hkdf::Salt::new(hash.hkdf, &zeros).extract(&zeros);
        let derived = expand_label(&early, "derived", empty.as_ref(), len)?;
        let handshake = hkdf::Salt::new(hash.hkdf, &derived).extract(shared);
        let derived = expand_label(&handshake, "derived", empty.as_ref(), len)?;
        let master = hkdf::Salt::new(hash.hkdf, &derived).extract(&zeros);
        Some(Schedule {
            hash,
            handshake,
            master,
        })
    }

    /// Derive-Secret(Handshake Secret, `label`, `messages`): `c hs traffic`,
    /// `s hs traffic`.
    pub fn handshake_secret(&self, label: &str, messages: &[u8]) -> Option<Vec<u8>> {
        self.derive(&self.handshake, label, messages)
    }

    /// Derive-Secret(Master Secret, `label`, `messages`): `c ap traffic`,
    /// `s ap traffic`.
    pub fn application_secret(&self, label: &str, messages: &[u8]) -> Option<Vec<u8>> {
        self.derive(&self.master, label, messages)
    }

    fn derive(&self, prk: &hkdf::Prk, label: &str, messages: &[u8]) -> Option<Vec<u8>> {
        let transcript = digest::digest(self.hash.digest, messages);
        expand_label(
            prk,
            label,
            transcript.as_ref(),
            self.hash.digest.output_len(),
        )
    }

    /// The verify_data of a Finished sent under `traffic_secret` after
    /// `messages` (RFC 8446 §4.4.4).
    pub fn finished(&self, traffic_secret: &[u8], messages: &[u8]) -> Option<Vec<u8>> {
        let len = self.hash.digest.output_len();
        let prk = hkdf::Prk::new_less_safe(self.hash.hkdf, traffic_secret);
        let key = expand_label(&prk, "finished", &[], len)?;
        let transcript = digest::digest(self.hash.digest, messages);
        let tag = hmac::sign(&hmac::Key::new(self.hash.hmac, &key), transcript.as_ref());
        Some(tag.as_ref().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8448 §3 (Simple 1-RTT Handshake): the server handshake traffic
    /// secret and the key and IV derived from it.
    #[test]
    fn expand_label_matches_rfc_8448() {
        let secret =
            hex::decode("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
                .expect("hex");
        let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &secret);
        let key = expand_label(&prk, "key", &[], 16).expect("key");
        let iv = expand_label(&prk, "iv", &[], 12).expect("iv");
        assert_eq!(hex::encode(key), "3fce516009c21727d0f2e4e86ee403bc");
        assert_eq!(hex::encode(iv), "5d313eb2671276ee13000b30");
    }

    /// RFC 8448 §3: from the shared secret and the two hellos' hash, the
    /// server handshake traffic secret.
    #[test]
    fn the_schedule_matches_rfc_8448() {
        let shared =
            hex::decode("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d")
                .expect("hex");
        let schedule = Schedule::new(0x1301, &shared).expect("a schedule");
        // Derive-Secret hashes its messages; compare through a prk made
        // from the RFC's handshake secret instead of the hellos' bytes.
        let rfc_handshake =
            hex::decode("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac")
                .expect("hex");
        let expected = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &rfc_handshake);
        let hello_hash =
            hex::decode("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8")
                .expect("hex");
        let want = expand_label(&expected, "s hs traffic", &hello_hash, 32).expect("secret");
        let got =
            expand_label(&schedule.handshake, "s hs traffic", &hello_hash, 32).expect("secret");
        assert_eq!(got, want);
        assert_eq!(
            hex::encode(want),
            "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
        );
    }

    #[test]
    fn a_sealed_record_opens_to_what_was_sealed() {
        let keys = RecordKeys::derive(0x1302, &[7; 48]).expect("keys");
        let record = keys.seal(5, 22, b"Finished").expect("sealed");
        assert_eq!(&record[..3], &[23, 3, 3]);
        assert_eq!(keys.open(5, &record[5..]), Some((22, b"Finished".to_vec())));
        assert_eq!(keys.open(4, &record[5..]), None);
    }
}
