#if canImport(Glibc)
import Glibc
#endif

/// Transparent huge pages for the large buffers a case allocates (images, interpolated blocks,
/// the spectra of Moran's I / Geary's C).
///
/// A fresh buffer costs one page fault, with a zeroed page, per 4 KiB on its first write: about
/// 2,300 faults for a 9 MB CT image, 12,000 for a whole 2 mm CT case, a fifth of its time in the
/// kernel. Debian enables transparent huge pages only where asked ("madvise" mode), so each large
/// buffer asks, before its first write; its 2 MiB-aligned part is then backed by 2 MiB pages and
/// faults about 500 times less often. Elsewhere the call does nothing.
public enum HugePages {
    /// Below this a buffer cannot hold a whole 2 MiB page.
    public static let minimumBytes = 2 << 20

    /// Advises the kernel to back `byteCount` bytes at `base` with huge pages.
    public static func advise(_ base: UnsafeMutableRawPointer?, byteCount: Int) {
        #if os(Linux)
        guard let base, byteCount >= minimumBytes else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: base) + byteCount) & ~(page - 1)
        // madvise needs a page-aligned start; the hint is best effort, so its result is ignored.
        if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
        #endif
    }

    /// The same for a typed buffer about to be written.
    public static func advise<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        advise(UnsafeMutableRawPointer(buffer.baseAddress), byteCount: buffer.count * MemoryLayout<T>.stride)
    }
}
