import Foundation
import Testing

/// The folders of `Sources/DiscogsBatch` are one module, so an import cannot show a backwards arrow:
/// this reads the sources, maps each top-level type to the folder that declares it, and fails on a use
/// from a folder that ARCHITECTURE.md ("Which folder may use which") does not allow.
@Suite struct ArchitectureTests {
    /// ARCHITECTURE.md's table: the folders each folder may use (besides itself).
    static let mayUse: [String: Set<String>] = [
        "Common": [],
        "YAML": ["Common"],
        "Job": ["Common", "YAML"],
        "Plan": ["Common", "YAML", "Job"],
        "Auth": ["Common", "YAML", "Job", "Plan"],
        "Pacing": ["Common", "YAML", "Job", "Plan"],
        "Output": ["Common", "YAML", "Job", "Plan"],
        "Cache": ["Common", "YAML", "Job", "Plan", "Output"],
        "Run": ["Common", "YAML", "Job", "Plan", "Auth", "Pacing", "Output", "Cache"],
    ]

    /// Uses against the table that are known, each with the reason it stays for now
    /// ("Folder/File.swift uses Type": reason). An entry no longer needed fails too.
    static let allowed: [String: String] = [
        "Job/JobReader.swift uses TransportSecurity":
            "validate diagnoses a plain-HTTP base_url with credentials at its mark, with Auth's one refusal message",
    ]

    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    @Test func everyFolderIsInTheTable() throws {
        let folders = try Self.swiftFiles(in: "DiscogsBatch").map(\.folder)
        #expect(Set(folders) == Set(Self.mayUse.keys))
    }

    @Test func noFolderUsesOneItMayNot() throws {
        let files = try Self.swiftFiles(in: "DiscogsBatch")
        var owner: [String: String] = [:]
        var declaredTwice: [String] = []
        for file in files {
            for name in Self.topLevelTypes(in: file.text) {
                if let other = owner[name], other != file.folder { declaredTwice.append("\(name): \(other), \(file.folder)") }
                owner[name] = file.folder
            }
        }
        #expect(declaredTwice.isEmpty, "a type name declared in two folders: \(declaredTwice)")

        var violations: [String] = []
        var used: Set<String> = []
        for file in files {
            let allowedFolders = Self.mayUse[file.folder] ?? []
            var reported: Set<String> = []
            for (name, line) in Self.identifiers(in: file.text) {
                guard let folder = owner[name], folder != file.folder, !allowedFolders.contains(folder) else { continue }
                let key = "\(file.folder)/\(file.name) uses \(name)"
                if Self.allowed[key] != nil {
                    used.insert(key)
                } else if reported.insert(name).inserted {
                    violations.append(
                        "Sources/DiscogsBatch/\(file.folder)/\(file.name):\(line): \(file.folder)/ uses \(name) of \(folder)/; "
                            + "\(file.folder)/ may use only \(allowedFolders.sorted().joined(separator: ", "))")
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.count) uses against ARCHITECTURE.md:\n\(violations.joined(separator: "\n"))")
        let stale = Set(Self.allowed.keys).subtracting(used)
        #expect(stale.isEmpty, "allow-list entries no longer needed (remove them): \(stale.sorted())")
    }

    @Test func theSandboxUsesNothingOfTheClient() throws {
        for file in try Self.swiftFiles(in: "DiscogsSandbox") {
            let imports = file.text.split(separator: "\n").filter { $0.contains("import DiscogsBatch") }
            #expect(imports.isEmpty, "DiscogsSandbox/\(file.name) imports the client")
        }
    }

    // MARK: The checker's own parts

    @Test func identifiersSkipCommentsStringsAndMembers() {
        let text = """
            let a = Record(x) // Job
            /* Plan /* nested */ Cache */ let b = "Auth \\(Mark.zero) Pacing"
            let c = x.Run; let d = \"\"\"
              Output
              \"\"\"
            let e = #","Job":""#; let f = Cache.x
            """
        let names = Self.identifiers(in: text).filter { $0.name.first!.isUppercase }
        #expect(names.map(\.name) == ["Record", "Mark", "Cache"])
        #expect(names.map(\.line) == [1, 2, 6])
    }

    @Test func topLevelTypesAreThoseAtTheStartOfALine() {
        let text = """
            public struct Job: Sendable {
                public enum Mode { case a }
            }
            final class Writer {}
            public typealias Alias = Int
            extension Other {}
            """
        #expect(Self.topLevelTypes(in: text) == ["Job", "Writer", "Alias"])
    }

    // MARK: Reading the sources

    struct SourceFile {
        let folder: String
        let name: String
        let text: String
    }

    /// Every Swift file under `Sources/<target>`, with its first folder below the target.
    static func swiftFiles(in target: String) throws -> [SourceFile] {
        let root = sources.appendingPathComponent(target)
        let paths = try FileManager.default.subpathsOfDirectory(atPath: root.path)
        return try paths.filter { $0.hasSuffix(".swift") }.sorted().map { path in
            let parts = path.split(separator: "/")
            return SourceFile(
                folder: parts.count > 1 ? String(parts[0]) : "", name: parts.dropFirst().joined(separator: "/"),
                text: try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8))
        }
    }

    /// Names of the types a file declares at its top level (a declaration starting its line).
    static func topLevelTypes(in text: String) -> [String] {
        let modifiers: Set<Substring> = ["public", "internal", "package", "private", "fileprivate", "final", "indirect"]
        let kinds: Set<Substring> = ["struct", "enum", "class", "actor", "protocol", "typealias"]
        return text.split(separator: "\n").compactMap { line in
            guard let first = line.first, first.isLetter else { return nil }
            let words = line.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
            guard let kind = words.firstIndex(where: { !modifiers.contains($0) }), kinds.contains(words[kind]),
                kind + 1 < words.count
            else { return nil }
            return String(words[kind + 1])
        }
    }

    /// The identifiers of the code with their lines: comments and the text of string literals left out
    /// (interpolations kept), members after a `.` left out.
    static func identifiers(in text: String) -> [(name: String, line: Int)] {
        let chars = Array(text.unicodeScalars)
        var result: [(name: String, line: Int)] = []
        var line = 1
        var i = 0
        /// What encloses the current position: a string (multi-line or not, raw with `hashes` #s) or an
        /// interpolation's parentheses.
        enum Context { case string(multiline: Bool, hashes: Int), interpolation(depth: Int) }
        var stack: [Context] = []
        func at(_ k: Int) -> Unicode.Scalar? { k < chars.count ? chars[k] : nil }
        func isIdentifier(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic || ("0"..."9").contains(c) }
        /// Whether `count` #s follow position `k`.
        func hashes(_ count: Int, after k: Int) -> Bool { (0..<count).allSatisfy { at(k + $0) == "#" } }
        while i < chars.count {
            let c = chars[i]
            if c == "\n" { line += 1 }
            if case .string(let multiline, let hashCount)? = stack.last {
                let quotes = multiline ? 3 : 1
                if c == "\\" && hashes(hashCount, after: i + 1) && at(i + 1 + hashCount) == "(" {
                    stack.append(.interpolation(depth: 1))
                    i += 2 + hashCount
                } else if c == "\\" && hashCount == 0 {
                    if at(i + 1) == "\n" { line += 1 }
                    i += 2
                } else if c == "\"" && (0..<quotes).allSatisfy({ at(i + $0) == "\"" }) && hashes(hashCount, after: i + quotes) {
                    stack.removeLast()
                    i += quotes + hashCount
                } else {
                    i += 1
                }
                continue
            }
            if c == "#" || c == "\"" {
                var hashCount = 0
                while at(i + hashCount) == "#" { hashCount += 1 }
                if at(i + hashCount) == "\"" {
                    let multiline = at(i + hashCount + 1) == "\"" && at(i + hashCount + 2) == "\""
                    stack.append(.string(multiline: multiline, hashes: hashCount))
                    i += hashCount + (multiline ? 3 : 1)
                    continue
                }
            }
            if c == "/" && at(i + 1) == "/" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
            } else if c == "/" && at(i + 1) == "*" {
                var depth = 0
                repeat {
                    if chars[i] == "\n" { line += 1 }
                    if chars[i] == "/" && at(i + 1) == "*" { depth += 1; i += 2 }
                    else if chars[i] == "*" && at(i + 1) == "/" { depth -= 1; i += 2 }
                    else { i += 1 }
                } while depth > 0 && i < chars.count
            } else if c == "(" || c == ")", case .interpolation(let depth)? = stack.last {
                let next = depth + (c == "(" ? 1 : -1)
                stack.removeLast()
                if next > 0 { stack.append(.interpolation(depth: next)) }
                i += 1
            } else if isIdentifier(c) && !("0"..."9").contains(c) {
                let start = i
                while i < chars.count && isIdentifier(chars[i]) { i += 1 }
                if start == 0 || chars[start - 1] != "." {
                    var name = String.UnicodeScalarView()
                    name.append(contentsOf: chars[start..<i])
                    result.append((String(name), line))
                }
            } else {
                i += 1
            }
        }
        return result
    }
}
