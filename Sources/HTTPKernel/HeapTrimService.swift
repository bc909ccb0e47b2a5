import CMalloc
import Dispatch
import Realtime
import ServiceLifecycle

/// Gives the heap freed after a burst of connections back to the system once the burst settles. A connect storm
/// frees far more than it keeps (each opening's task and request), and glibc keeps freed pages mapped: a server
/// that once took a storm would otherwise stay that large.
struct HeapTrimService: Service {
    let hub: BroadcastHub

    /// Connections opened or closed since the last trim before one is worth its walk over the heap, once they settle.
    static let churnWorthATrim = 100
    /// The same while they keep coming: trimming during a storm also merges what it freed, so that what it keeps is
    /// packed closer.
    static let churnWorthATrimMidStorm = 1_000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var (trimmedAt, previous) = (self.hub.connectionChurn, self.hub.connectionChurn)
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let churn = self.hub.connectionChurn
                // Settled: none came or went in the last second.
                let settled = churn == previous
                if churn - trimmedAt >= (settled ? Self.churnWorthATrim : Self.churnWorthATrimMidStorm) {
                    await Self.trim()
                    trimmedAt = churn
                }
                previous = churn
            }
        }
    }

    /// On a thread of its own: a walk over a large heap must not hold one of the cooperative pool's few threads.
    private static func trim() async {
        #if canImport(Glibc)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global(qos: .utility).async {
                malloc_trim(0)
                done.resume()
            }
        }
        #endif
    }
}
