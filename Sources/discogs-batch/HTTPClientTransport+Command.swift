import ArgumentParser
import DiscogsBatch
import Foundation

extension HTTPClientTransport {
    /// The transport with the environment's proxies (README, "Pipelines: proxies"); a proxy
    /// variable that cannot be used stops the command before anything is sent (exit 2).
    static func forCommand(connectionsPerHost: Int) throws -> HTTPClientTransport {
        do {
            return try fromEnvironment(connectionsPerHost: connectionsPerHost)
        } catch {
            Console.error("discogs-batch: error: \(error)")
            throw ExitCode(2)
        }
    }
}
