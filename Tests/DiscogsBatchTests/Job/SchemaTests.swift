import Foundation
import Testing
@testable import DiscogsBatch

/// The schema says what the loader accepts: valid files pass both, invalid ones fail both, except
/// fixtures marked `# schema: accepts` (rules a JSON Schema cannot express, such as unknown {var})
/// and `# schema: skip` (alias bombs and deep nesting, which a schema validator would expand or recurse into).
@Suite("Job schema", .enabled(if: SchemaChecker.enabled, "check-jsonschema not installed"))
struct SchemaTests {
    let schema = Fixtures.path("schemas/job.schema.json")

    @Test func validFilesPassTheSchema() throws {
        let results = try SchemaChecker.check(schema: schema, files: FixtureTests.valid)
        #expect(results.filter { !$0.value }.keys.sorted() == [])
    }

    @Test func invalidFixturesFailTheSchemaWhereItCanSay() throws {
        let expressible = FixtureTests.invalid.filter { path in
            let text = Fixtures.text(path)
            return !text.contains("# schema: accepts") && !text.contains("# schema: skip")
        }
        let results = try SchemaChecker.check(schema: schema, files: expressible)
        #expect(results.filter { $0.value }.keys.sorted() == [])
    }

    @Test func fixturesTheSchemaCannotJudgeAreStillValidJSONShape() throws {
        let marked = FixtureTests.invalid.filter { path in
            (Fixtures.text(path)).contains("# schema: accepts")
        }
        let results = try SchemaChecker.check(schema: schema, files: marked)
        #expect(results.filter { !$0.value }.keys.sorted() == [], "a fixture marked schema: accepts is rejected by the schema; drop the mark")
    }
}
