import Hummingbird
import NIOCore

/// Hummingbird's request context plus the channel, which the sandbox needs for the client's
/// address (rate limiting) and to reset connections (the `reset` fault).
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    var remoteAddress: String {
        channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
