/// The answer to one inbound frame: known at once (a refusal), or once its handling, which may wait for a commit,
/// ends. Nil: nothing to say (an action whose client did not ask for an `ack`). Answers go out in the order frames
/// came in, whichever commit finishes first.
enum PendingAnswer: Sendable {
    case ready(OutboundFrame?)
    case handling(Task<OutboundFrame?, Never>)

    var frame: OutboundFrame? {
        get async {
            switch self {
            case .ready(let frame): frame
            case .handling(let task): await task.value
            }
        }
    }
}
