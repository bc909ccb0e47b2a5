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

    @Test func aConnectStormsBatchIsSplitIntoSignalsThatFitAndNobodyIsLeftOut() throws {
        let users = (0..<60).map { index in
            JSONValue.object([
                "user_id": .string("user-\(index)"), "username": .string("visitor\(index)"), "full_name": .string(String(repeating: "n", count: 150)),
            ])
        }
        let batch = EphemeralSignal(sessionID: "s", kind: .usersJoined, fields: ["users": .array(users)])
        let (notices, oversized) = try BusNotice.pack(node: "n", head: nil, signals: [batch], changes: [])
        #expect(oversized.isEmpty, "a batch too large for one notice must still reach the other nodes")
        #expect(notices.allSatisfy { $0.utf8.count < 8_000 })
        let signals = try notices.flatMap { try JSONDecoder().decode(BusNotice.self, from: Data($0.utf8)).signals }
        let announced = signals.flatMap { signal -> [JSONValue] in
            switch signal.kind {
            case .usersJoined: if case .array(let users)? = signal.fields["users"] { users } else { [] }
            case .userJoined: signal.fields["user"].map { [$0] } ?? []
            default: []
            }
        }
        #expect(announced == users, "every user once, in order")
        for signal in signals {
            if case .array(let users)? = signal.fields["users"] { #expect(users.count > 1, "users_joined lists several users") }
            if signal.kind == .userJoined, case .object(let user)? = signal.fields["user"] {
                #expect(user["user_id"].map { .string(signal.excludedUserID ?? "") == $0 } == true, "a lone arrival is not sent to its user")
            }
        }
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
