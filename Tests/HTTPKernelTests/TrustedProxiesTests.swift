import Testing

@testable import HTTPKernel

@Suite("Trusted proxies")
struct TrustedProxiesTests {
    @Test func believesForwardedForOnlyFromTrustedPeersAndStopsAtTheFirstUntrustedHop() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8", "fd00::/8"])
        // Not a proxy: its own address, whatever it claims.
        #expect(proxies.clientAddress(peer: "203.0.113.9", forwardedFor: "198.51.100.1") == "203.0.113.9")
        // A proxy: the rightmost address that is not one of ours (anything left of it could be forged).
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "198.51.100.1, 203.0.113.7, 10.9.9.9") == "203.0.113.7")
        #expect(proxies.clientAddress(peer: "fd00::1", forwardedFor: "2001:db8::5") == "2001:db8::5")
        // A dual-stack listener reports IPv4 peers mapped into IPv6.
        #expect(proxies.clientAddress(peer: "::ffff:10.0.0.1", forwardedFor: "198.51.100.2") == "198.51.100.2")
        // A proxy that forwarded nothing usable is the client as far as anyone can tell.
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "garbage") == "10.1.2.3")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: nil) == "10.1.2.3")
    }

    @Test(arguments: ["10.0.0.0/33", "not-an-address/8", "10.0.0.0/", "::1/129"])
    func refusesMalformedNetworks(_ cidr: String) {
        #expect(throws: ConfigurationError.self) { try TrustedProxies([cidr]) }
    }
}
