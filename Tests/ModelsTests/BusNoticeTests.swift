import Foundation
import Models
import Testing

@testable import PostgresCluster
@testable import Realtime

@Suite("Notices between nodes")
struct BusNoticeTests {
    @Test func manySignalsSplitIntoNoticesUnderPostgreSQLsLimitInOrder() throws {
        let signals = (0..<200).map { index in
            EphemeralSignal(
                sessionID: "s", kind: .cursorUpdate, fields: ["user_id": .string("u\(index)"), "cursor": .string(String(repeating: "x", count: 100))])
        }
        let (notices, oversized) = try BusNotice.pack(node: "n", head: 42, signals: signals, changes: [.session(id: "s")])
        #expect(oversized.isEmpty)
        #expect(notices.count > 1)
        #expect(notices.allSatisfy { $0.utf8.count < 8_000 })
        let decoded = try notices.map { try JSONDecoder().decode(BusNotice.self, from: Data($0.utf8)) }
        #expect(decoded.flatMap(\.signals) == signals)
        #expect(decoded.first?.head == 42)
        #expect(decoded.flatMap(\.changes) == [.session(id: "s")])
    }

    @Test func aSignalTooLargeForANoticeStaysOnItsNode() throws {
        let large = EphemeralSignal(sessionID: "s", kind: .viewportUpdate, fields: ["viewport": .string(String(repeating: "v", count: 9_000))])
        let (notices, oversized) = try BusNotice.pack(node: "n", head: nil, signals: [large], changes: [])
        #expect(notices.isEmpty)
        #expect(oversized == [large])
    }

    @Test func aDeletedTeamWithManySessionsIsSplitIntoChangesThatFit() throws {
        let sessionIDs = (0..<500).map { _ in UUID().uuidString.lowercased() }
        let (notices, _) = try BusNotice.pack(node: "n", head: nil, signals: [], changes: [.team(id: "t", sessionIDs: sessionIDs)])
        #expect(notices.count > 1)
        #expect(notices.allSatisfy { $0.utf8.count < 8_000 })
        let changes = try notices.flatMap { try JSONDecoder().decode(BusNotice.self, from: Data($0.utf8)).changes }
        let covered = changes.flatMap { change -> [String] in
            guard case .team("t", let ids) = change else { return [] }
            return ids
        }
        #expect(covered == sessionIDs)
    }
}
