import Foundation
import Testing

@testable import DiscogsSandbox

/// Private data needs its owner: 401 without a user, 403 for another user.
@Suite struct OwnerRuleTests {
    let user = SandboxCredentials.demo.username
    let token = [("Authorization", "Discogs token=\(SandboxCredentials.demo.token)")]

    @Test func collectionFolders() async throws {
        try await withSandbox(SandboxConfiguration(rateLimited: false)) { sandbox throws in
            let base = "\(sandbox.baseURL)/users"
            #expect(try await TestHTTP.send(.GET, "\(base)/\(user)/collection/folders/0/releases").status == 200)
            #expect(try await TestHTTP.send(.GET, "\(base)/other_user/collection/folders/0/releases", headers: token).status == 200)
            let anonymous = try await TestHTTP.send(.GET, "\(base)/\(user)/collection/folders/1/releases")
            #expect(anonymous.status == 401)
            #expect(anonymous.header("WWW-Authenticate") != nil)
            let keySecret = try await TestHTTP.send(.GET, "\(base)/\(user)/collection/folders/1/releases?key=\(SandboxCredentials.demo.consumerKey)&secret=\(SandboxCredentials.demo.consumerSecret)")
            #expect(keySecret.status == 401)
            let owner = try await TestHTTP.send(.GET, "\(base)/\(user)/collection/folders/1/releases", headers: token)
            #expect(owner.status == 200)
            #expect(try await TestHTTP.send(.GET, "\(base)/other_user/collection/folders/1/releases", headers: token).status == 403)
            #expect(try await TestHTTP.send(.GET, "\(base)/\(user)/collection/folders/9/releases", headers: token).status == 404)

            let publicFolders = try await TestHTTP.send(.GET, "\(base)/\(user)/collection/folders")
            #expect((publicFolders.json["folders"] as? [[String: Any]])?.count == 1)
            let ownFolders = try await TestHTTP.send(.GET, "\(base)/\(user)/collection/folders", headers: token)
            let folders = try #require(ownFolders.json["folders"] as? [[String: Any]])
            #expect(folders.count == 3)
            #expect(folders.first?["count"] as? Int == 240)
            #expect(folders.dropFirst().compactMap { $0["count"] as? Int }.reduce(0, +) == 240)
        }
    }

    @Test func wantlistWrites() async throws {
        try await withSandbox(SandboxConfiguration(rateLimited: false)) { sandbox throws in
            let wants = "\(sandbox.baseURL)/users/\(user)/wants"
            let created = try await TestHTTP.send(.PUT, "\(wants)/1234", headers: token, body: #"{"notes": "first press please", "rating": 5}"#, contentType: "application/json")
            #expect(created.status == 201)
            #expect(created.json["notes"] as? String == "first press please")
            #expect(created.json["id"] as? Int == 1234)
            let updated = try await TestHTTP.send(.PUT, "\(wants)/1234", headers: token)
            #expect(updated.status == 200)
            #expect(updated.json["notes"] as? String == "first press please")

            let list = try await TestHTTP.send(.GET, "\(wants)?per_page=100&page=4")
            #expect((list.json["pagination"] as? [String: Any])?["items"] as? Int == 328)
            #expect(((list.json["wants"] as? [[String: Any]])?.last?["id"] as? Int) == 1234)

            #expect(try await TestHTTP.send(.PUT, "\(wants)/1235").status == 401)
            #expect(try await TestHTTP.send(.PUT, "\(sandbox.baseURL)/users/other_user/wants/1235", headers: token).status == 403)
            #expect(try await TestHTTP.send(.PUT, "\(wants)/0", headers: token).status == 404)
            #expect(try await TestHTTP.send(.PUT, "\(wants)/x", headers: token).status == 422)
            #expect(try await TestHTTP.send(.PUT, "\(wants)/5", headers: token, body: "not json", contentType: "application/json").status == 422)
            #expect(try await TestHTTP.send(.PUT, "\(wants)/5", headers: token, body: #"{"rating": 9}"#, contentType: "application/json").status == 422)
            #expect(try await TestHTTP.send(.GET, "\(wants)/1234", headers: token).status == 405)

            #expect(try await TestHTTP.send(.DELETE, "\(wants)/1234").status == 401)
            #expect(try await TestHTTP.send(.DELETE, "\(wants)/1234", headers: token).status == 204)
            #expect(try await TestHTTP.send(.DELETE, "\(wants)/1234", headers: token).status == 404)
            let after = try await TestHTTP.send(.GET, wants)
            #expect((after.json["pagination"] as? [String: Any])?["items"] as? Int == 327)
        }
    }

    @Test func profileEmailOnlyForOwner() async throws {
        try await withSandbox(SandboxConfiguration(rateLimited: false)) { sandbox throws in
            let profile = "\(sandbox.baseURL)/users/\(user)"
            #expect(try await TestHTTP.send(.GET, profile).json["email"] == nil)
            #expect(try await TestHTTP.send(.GET, profile, headers: token).json["email"] != nil)
        }
    }
}
