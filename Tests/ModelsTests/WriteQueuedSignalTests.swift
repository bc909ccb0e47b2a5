import Synchronization
import Testing

@testable import Models

/// What a live connection's reader relies on to take up its next message before the last one commits.
@Suite("A write's queued signal")
struct WriteQueuedSignalTests {
    @Test func opensWhenTheWriteJoinsTheQueueWhileItsCommitIsHeld() async {
        let queue = GroupCommitQueue<Int>()
        let (commitMayFinish, letCommitFinish) = AsyncStream.makeStream(of: Void.self)
        defer { letCommitFinish.finish() }
        let signal = WriteQueuedSignal()
        WriteQueuedSignal.$current.withValue(signal) {
            _ = queue.enqueue(1) { _ in for await _ in commitMayFinish {} }
        }
        // The commit never finishes while this waits: a signal that opened only after it would lose the race.
        let opened = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await signal.wait()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return false
            }
            let first = await group.next() ?? false
            // Frees whichever is left: the waiter does not end on cancellation.
            signal.open()
            group.cancelAll()
            return first
        }
        #expect(opened)
    }
}
