import Foundation

/// Writes a small report file (summary, metrics) whole or not at all: a hidden temporary file in the
/// same folder (`.NAME.PID.tmp`, which node_exporter's textfile collector ignores: it reads `*.prom`),
/// written, fsynced, made 0644 (less the umask) and renamed over `path`. A reader never sees a torn file.
public enum ReportFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func save(_ text: String, to path: String) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = "\(folder)/.\(url.lastPathComponent).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        var bytes = text
        var code = bytes.withUTF8 { DurableWrite.writeSyncClose(fd, UnsafeRawBufferPointer($0)) }
        if code == 0, rename(temporary, path) != 0 { code = errno }
        if code != 0 {
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(code)))")
        }
    }
}
