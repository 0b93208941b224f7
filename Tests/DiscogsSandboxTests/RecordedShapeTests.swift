import Foundation
import Testing

@testable import DiscogsSandbox

/// The sandbox's bodies against real Discogs answers recorded by other clients
/// (Tests/Fixtures/recorded): every field a recording has, the sandbox has, with the same JSON type,
/// and the sandbox has no field the recording lacks unless it is listed here with the reason. So a
/// test that passes against the sandbox means something for the real API.
@Suite struct RecordedShapeTests {
    static let recorded = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/recorded")
    let auth = [("Authorization", "Discogs token=\(SandboxCredentials.demo.token)")]

    static func recording(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: recorded.appendingPathComponent(name)))
    }

    /// A value's JSON type; numbers are one type (Discogs writes 12 and 12.5 alike).
    static func kind(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let number as NSNumber: return String(cString: number.objCType) == "c" ? "boolean" : "number"
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "\(type(of: value))"
        }
    }

    /// The elements of a list folded into one: objects by the union of their keys, so fields that
    /// only some elements have (a track's sub_tracks, a label's catno) are compared too.
    static func merged(_ values: [Any]) -> Any? {
        let present = values.filter { !($0 is NSNull) }
        if !present.isEmpty, present.allSatisfy({ $0 is [String: Any] }) {
            var keys: [String: [Any]] = [:]
            for object in present as! [[String: Any]] {
                for (key, value) in object { keys[key, default: []].append(value) }
            }
            return keys.mapValues { merged($0) ?? NSNull() }
        }
        if !present.isEmpty, present.allSatisfy({ $0 is [Any] }) {
            let elements = (present as! [[Any]]).flatMap { $0 }
            return [merged(elements)].compactMap { $0 }
        }
        return present.first
    }

    /// Differences between a recorded value and the sandbox's, as `path: problem` lines. A null on
    /// either side says the field is nullable and is not compared further.
    static func differences(_ real: Any, _ sandbox: Any, at path: String = "", extra allowed: Set<String> = []) -> [String] {
        let (realKind, sandboxKind) = (kind(real), kind(sandbox))
        if realKind == "null" || sandboxKind == "null" { return [] }
        guard realKind == sandboxKind else { return ["\(path): \(realKind) in the recording, \(sandboxKind) in the sandbox"] }
        switch real {
        case let object as [String: Any]:
            let other = sandbox as! [String: Any]
            var problems: [String] = []
            for key in object.keys.sorted() {
                guard let value = other[key] else {
                    problems.append("\(path).\(key): missing in the sandbox")
                    continue
                }
                problems += differences(object[key]!, value, at: "\(path).\(key)", extra: allowed)
            }
            for key in other.keys.sorted() where object[key] == nil && !allowed.contains("\(path).\(key)") {
                problems.append("\(path).\(key): in the sandbox, not in the recording")
            }
            return problems
        case let list as [Any]:
            guard let realElement = merged(list), let sandboxElement = merged(sandbox as! [Any]) else { return [] }
            return differences(realElement, sandboxElement, at: "\(path)[]", extra: allowed)
        default:
            return []
        }
    }

    func compare(_ recording: String, _ url: String, status: Int = 200, select: (Any) -> Any? = { $0 }, extra: Set<String> = []) async throws {
        let real = try #require(select(try Self.recording(recording)), "\(recording) has no such value")
        let reply = try await TestHTTP.send(.GET, url, headers: auth)
        #expect(reply.status == status, "\(url)")
        let body = try JSONSerialization.jsonObject(with: Data(reply.body))
        let sandbox = try #require(select(body), "the sandbox's \(url) has no such value")
        let problems = Self.differences(real, sandbox, extra: extra)
        #expect(problems.isEmpty, "\(recording) vs \(url):\n\(problems.joined(separator: "\n"))")
    }

    static func first(_ key: String) -> (Any) -> Any? {
        { (($0 as? [String: Any])?[key] as? [Any]).flatMap { merged($0) } }
    }

    @Test func release() async throws {
        try await withSandbox { sandbox throws in
            // 249504 has a master on Discogs: compare with the first sandbox release that has one too
            // (a release without a master has no master_id on either side).
            var id = 249504
            while try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/\(id)", headers: auth).json["master_id"] == nil { id += 1 }
            try await compare("release-249504.json", "\(sandbox.baseURL)/releases/\(id)", extra: Self.releaseExtras)
        }
    }

    @Test func collectionItem() async throws {
        try await withSandbox { sandbox throws in
            try await compare(
                "collection-page32.json", "\(sandbox.baseURL)/users/\(SandboxCredentials.demo.username)/collection/folders/0/releases?per_page=100",
                select: Self.first("releases"), extra: Self.summaryExtras)
        }
    }

    @Test func want() async throws {
        try await withSandbox { sandbox throws in
            try await compare(
                "wants-page3.json", "\(sandbox.baseURL)/users/\(SandboxCredentials.demo.username)/wants?per_page=100",
                select: Self.first("wants"), extra: Self.summaryExtras)
        }
    }

    @Test func listing() async throws {
        try await withSandbox { sandbox throws in
            try await compare("listing-647415422.json", "\(sandbox.baseURL)/marketplace/listings/2", extra: Self.listingExtras)
        }
    }

    @Test func searchResult() async throws {
        try await withSandbox { sandbox throws in
            try await compare(
                "search-masters.json", "\(sandbox.baseURL)/database/search?q=enjoy&type=master&per_page=50",
                select: Self.first("results"), extra: Self.searchExtras)
        }
    }

    @Test func pagination() async throws {
        try await withSandbox { sandbox throws in
            try await compare(
                "wants-page3.json", "\(sandbox.baseURL)/users/\(SandboxCredentials.demo.username)/wants?per_page=100&page=4",
                select: { ($0 as? [String: Any])?["pagination"] })
        }
    }

    @Test func error() async throws {
        try await withSandbox { sandbox throws in
            try await compare("release-not-found.json", "\(sandbox.baseURL)/releases/0", status: 404)
            try await compare(
                "wants-page4-out-of-range.json", "\(sandbox.baseURL)/users/\(SandboxCredentials.demo.username)/wants?per_page=100&page=9",
                status: 404)
        }
    }

    // Fields the sandbox has that the recordings (2016-2020) lack: fields Discogs added since, which
    // current answers and the API docs show.
    /// Track credits: Discogs sends them on tracks that have credits (the API docs' release example);
    /// 249504's tracks have none.
    static let releaseExtras: Set<String> = [".tracklist[].extraartists"]
    /// `basic_information` of collection items gained master_id, master_url, genres and styles after
    /// the 2017 recording (wantlist items, recorded in 2020, have them).
    static let summaryExtras: Set<String> = [
        ".basic_information.master_id", ".basic_information.master_url", ".basic_information.genres", ".basic_information.styles",
        // free text of some formats: in the recorded wantlist, on no item of the recorded collection page
        ".basic_information.formats[].text",
    ]
    static let listingExtras: Set<String> = []
    /// Search results gained cover_image after the 2016 recording.
    static let searchExtras: Set<String> = [".cover_image"]
}
