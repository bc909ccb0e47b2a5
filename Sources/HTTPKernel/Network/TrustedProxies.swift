import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TRUSTED_PROXIES: the networks (CIDRs) whose `X-Forwarded-For` is believed. Behind a load balancer every request
/// comes from the balancer's address, so per-address limits would lump all clients together; a header anyone
/// can send must not be believed from anyone else, or a client could name a fresh address for every attempt.
struct TrustedProxies: Sendable {
    private let networks: [IPNetwork]

    init(_ cidrs: [String]) throws(ConfigurationError) {
        self.networks = try cidrs.map { cidr throws(ConfigurationError) in
            guard let network = IPNetwork(cidr: cidr) else {
                throw ConfigurationError("TRUSTED_PROXIES must be CIDRs like 10.0.0.0/8 or ::1/128, got '\(cidr)'")
            }
            return network
        }
    }

    func trusts(_ address: String) -> Bool {
        guard let bytes = IPNetwork.bytes(of: address) else { return false }
        return self.networks.contains { $0.contains(bytes) }
    }

    /// The address a request came from: the peer, unless it is a trusted proxy; then, reading X-Forwarded-For from
    /// the right (each proxy appends the address it heard from), the first address that is not a trusted proxy.
    func clientAddress(peer: String?, forwardedFor: String?) -> String? {
        // No proxies configured (the default): nothing to parse on any request.
        guard !self.networks.isEmpty, let peer, self.trusts(peer), let forwardedFor else { return peer }
        var client = peer
        for hop in forwardedFor.split(separator: ",").reversed() {
            let address = hop.trimmingCharacters(in: .whitespaces)
            guard IPNetwork.bytes(of: address) != nil else { break }
            client = address
            if !self.trusts(address) { break }
        }
        return client
    }
}

/// An IPv4 or IPv6 network: an address and how many leading bits of it are fixed.
struct IPNetwork: Sendable, Equatable {
    let address: [UInt8]
    let prefixLength: Int

    init?(cidr: String) {
        let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = Self.bytes(of: String(parts[0])) else { return nil }
        let prefixLength = parts.count == 2 ? Int(parts[1]) : address.count * 8
        guard let prefixLength, (0...(address.count * 8)).contains(prefixLength) else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    func contains(_ other: [UInt8]) -> Bool {
        guard other.count == self.address.count else { return false }
        var remaining = self.prefixLength
        for (mine, theirs) in zip(self.address, other) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            guard mine & mask == theirs & mask else { return false }
            remaining -= bits
        }
        return true
    }

    /// The address's bytes (4 for IPv4, 16 for IPv6), nil when it is not an address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        // An IPv4 client of a dual-stack listener (::ffff:a.b.c.d) is that IPv4 address to an IPv4 CIDR.
        return bytes.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) ? Array(bytes.suffix(4)) : bytes
    }
}
