import Dispatch
import Foundation

/// Work split into numbered chunks that the calling thread and idle threads share.
///
/// The extractor already runs the feature families concurrently (one task each), and a
/// `concurrentPerform` nested in such a task runs serially. A family that is much larger than
/// the others (Moran's I on a large ROI) would then keep one core busy long after the other has
/// finished its tasks. Here the caller works through the chunks itself and offers the same work
/// to the global pool: a thread that becomes idle joins in, one that never does costs nothing.
/// Each chunk writes only its own results, so the outcome does not depend on who ran what.
public enum Parallel {
    /// Runs `body(i)` for every i in 0..<count, on this thread and on up to `helpers` threads
    /// of the global pool, and returns when all have run.
    public static func forEachChunk(_ count: Int, helpers: Int = ProcessInfo.processInfo.activeProcessorCount - 1,
                                    _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        if count == 1 || helpers <= 0 {
            for i in 0..<count { body(i) }
            return
        }
        let chunks = ChunkCounter(count: count)
        let work: @Sendable () -> Void = {
            while let i = chunks.claim() {
                body(i)
                chunks.finished()
            }
        }
        for _ in 0..<min(helpers, count - 1) { DispatchQueue.global().async(execute: work) }
        work()
        chunks.waitForAll()
    }
}

/// Hands out chunk numbers once each and counts the finished ones.
private final class ChunkCounter: @unchecked Sendable {
    private let count: Int
    private var next = 0
    private let lock = NSLock()
    private let done = DispatchGroup()

    init(count: Int) {
        self.count = count
        for _ in 0..<count { done.enter() }
    }

    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    func finished() { done.leave() }

    func waitForAll() { done.wait() }
}
