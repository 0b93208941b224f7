import Foundation
import Testing

@testable import DiscogsBatch

@Suite struct RecordFailureTests {
    /// The kinds a record may carry are those the schema enumerates, no more and no fewer.
    @Test func kindsAreTheSchemasEnum() throws {
        let data = try #require(FileManager.default.contents(atPath: Fixtures.path("schemas/record.schema.json")))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let error = try #require((schema["properties"] as? [String: Any])?["error"] as? [String: Any])
        let kind = try #require((error["properties"] as? [String: Any])?["kind"] as? [String: Any])
        let names = try #require(kind["enum"] as? [String])
        #expect(Set(names) == Set(RecordFailure.Kind.allCases.map(\.rawValue)))
    }

    @Test(arguments: [
        (TransportError.Kind.timeout, RecordFailure.Kind.timeout), (.connection, .connection),
        (.connectionRefused, .connection), (.invalid, .connection), (.tls, .tls), (.decode, .decode),
        (.cancelled, .cancelled),
    ])
    func transportErrorsMapToTheirRecordKind(transport: TransportError.Kind, record: RecordFailure.Kind) {
        #expect(TransportError(transport, "m").recordKind == record)
    }
}
