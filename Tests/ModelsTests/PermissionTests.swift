import Models
import Testing

@Suite("Roles and the permission matrix")
struct PermissionTests {
    @Test func matrixOfDesign() {
        let expected: [SessionRole: [SessionRole.Action]] = [
            .host: [.observe, .contribute, .updateMetadata, .manage],
            .editor: [.observe, .contribute, .updateMetadata],
            .viewer: [.observe],
        ]
        for role in SessionRole.allCases {
            for action in SessionRole.Action.allCases {
                #expect(role.permits(action) == expected[role]?.contains(action), "\(role) \(action)")
            }
        }
    }

    @Test(arguments: [
        (SessionRelation(isOwner: true, participantRole: .viewer, isTeamMember: false, visibility: .private), SessionRole?.some(.host)),
        (SessionRelation(isOwner: false, participantRole: .editor, isTeamMember: false, visibility: .private), .editor),
        (SessionRelation(isOwner: false, participantRole: nil, isTeamMember: true, visibility: .team), .viewer),
        (SessionRelation(isOwner: false, participantRole: nil, isTeamMember: true, visibility: .private), nil),
        (SessionRelation(isOwner: false, participantRole: nil, isTeamMember: false, visibility: .team), nil),
        (SessionRelation(isOwner: false, participantRole: nil, isTeamMember: false, visibility: .public), .viewer),
        (SessionRelation(isOwner: false, participantRole: .editor, isTeamMember: true, visibility: .public), .editor),
    ])
    func roleFollowsOwnershipThenParticipationThenSharing(relation: SessionRelation, role: SessionRole?) {
        #expect(relation.role == role)
    }
}

@Suite("Mentions and cursors")
struct MentionAndCursorTests {
    @Test func findsMentionsButNotEmails() {
        #expect(MentionParser.usernames(in: "@ann and @bob_2, see mail@example.com. Thanks @Ann @carol.") == ["ann", "bob_2", "carol"])
        #expect(MentionParser.usernames(in: "@ab is too short; @@dave counts") == ["dave"])
        #expect(MentionParser.usernames(in: "no mentions") == [])
    }

    @Test func cursorsRoundTripAndRejectForgeries() throws {
        let cursor = PageCursor(key: "2026-11-26 10:00:00.000", id: "abc")
        let request = try PageRequest(limit: "10", cursor: cursor.encoded)
        #expect(request.cursor == cursor)
        #expect(request.limit == 10)
        #expect(throws: DomainError.self) { try PageRequest(limit: nil, cursor: "not-a-cursor") }
        #expect(throws: DomainError.self) { try PageRequest(limit: "0", cursor: nil) }
        #expect(try PageRequest(limit: nil, cursor: nil).limit == 50)
    }

    @Test func pagesKnowWhetherMoreFollow() {
        let more = Page(fetched: [1, 2, 3], limit: 2) { PageCursor(key: nil, id: String($0)) }
        #expect(more.items == [1, 2])
        #expect(more.nextCursor?.id == "2")
        let last = Page(fetched: [1, 2], limit: 2) { PageCursor(key: nil, id: String($0)) }
        #expect(last.nextCursor == nil)
    }
}
