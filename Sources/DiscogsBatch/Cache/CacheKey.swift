import Crypto
import Foundation

/// The identity of a cached answer: SHA-256 over the method, the URL without credentials, the
/// `Accept` header and the credential's fingerprint (one URL answers differently per user). Only
/// the hash is stored, so nothing of the URL (nor any credential) is readable from the key.
public struct CacheKey: Sendable, Hashable {
    public let hex: String

    public init(method: String, url: String, accept: String, fingerprint: String) {
        // Length-prefixed fields so that no two different tuples hash the same text.
        let text = ["discogs-batch-cache/v1", method, url, accept, fingerprint].map { "\($0.utf8.count):\($0)" }.joined()
        hex = SHA256.hash(data: Data(text.utf8)).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
