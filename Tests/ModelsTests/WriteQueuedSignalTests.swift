import Synchronization
import Testing

@testable import Models

/// What a live connection's reader relies on to take up its next message before the last one commits.
@Suite("A write's queued signal")
struct WriteQueuedSignalTests {
    @Test func opensWhenTheWriteJoinsTheQueueBeforeItCommits() async {
        let queue = GroupCommitQueue<Int>()
        let (commitMayFinish, letCommitFinish) = AsyncStream.makeStream(of: Void.self)
        let committed = Atomic(false)
        let signal = WriteQueuedSignal()
        WriteQueuedSignal.$current.withValue(signal) {
            _ = queue.enqueue(1) { _ in
                for await _ in commitMayFinish {}
                committed.store(true, ordering: .sequentiallyConsistent)
            }
        }
        await signal.wait()
        let committedBeforeTheSignal = committed.load(ordering: .sequentiallyConsistent)
        #expect(!committedBeforeTheSignal)
        letCommitFinish.finish()
    }
}
