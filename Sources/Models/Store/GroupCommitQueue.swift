import Metrics
import Synchronization

/// The queue in front of a store's single writer with group commit: writes that arrive while a batch commits wait and
/// go together into the next one. Whoever queues into an idle queue starts the drain; it runs batches until the queue
/// is empty. Both stores' writers use it, so both report the same batch figures.
package final class GroupCommitQueue<Job: Sendable>: Sendable {
    private struct State {
        var queue: [Job] = []
        var draining = false
        var finished = false
    }

    /// More would keep the first writer of a huge burst waiting for the last one's work.
    static var maximumBatch: Int { 256 }

    private let state = Mutex(State())
    private let batchSizes = Recorder(label: "sessionhub_store_write_batch_size")
    private let batchDurations = Metrics.Timer(label: "sessionhub_store_write_batch_duration_seconds")

    package init() {}

    /// Queues `job` (opening `WriteQueuedSignal.current`), and starts `commit` on batches in a task when the queue was
    /// idle. False, with nothing queued, once the queue is finished.
    package func enqueue(_ job: Job, commit: @escaping @Sendable ([Job]) async -> Void) -> Bool {
        let start = self.state.withLock { state -> Bool? in
            guard !state.finished else { return nil }
            state.queue.append(job)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        guard let start else { return false }
        WriteQueuedSignal.current?.open()
        if start { Task { await self.drain(commit) } }
        return true
    }

    /// No more jobs: those queued still run.
    package func finish() {
        self.state.withLock { $0.finished = true }
    }

    /// How many jobs wait for the next batch.
    package var count: Int { self.state.withLock { $0.queue.count } }

    private func drain(_ commit: @Sendable ([Job]) async -> Void) async {
        while true {
            let batch = self.state.withLock { state -> [Job] in
                let batch = Array(state.queue.prefix(Self.maximumBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let started = ContinuousClock.now
            await commit(batch)
            self.batchSizes.record(batch.count)
            self.batchDurations.record(duration: started.duration(to: .now))
        }
    }
}
