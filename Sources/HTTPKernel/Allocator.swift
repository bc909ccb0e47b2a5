import CJemalloc

/// The server allocates with jemalloc, linked through `CJemalloc`. glibc's malloc left the memory a connect storm
/// freed scattered over pages it kept: 21 KB of RSS per idle WebSocket against jemalloc's 10 to 13.
enum Allocator {
    /// A thread of jemalloc's own gives freed pages back on a timer; otherwise they go back only when later
    /// allocations happen to notice, and a server that fell idle after a storm would stay at the storm's size.
    /// False when jemalloc refused, which costs memory, not correctness.
    static func purgeInTheBackground() -> Bool {
        var enable = true
        return mallctl("background_thread", nil, nil, &enable, MemoryLayout<Bool>.size) == 0
    }
}
