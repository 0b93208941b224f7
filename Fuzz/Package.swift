// swift-tools-version:5.4
// libFuzzer targets over discogs-batch's input parsers. Built and run by `Fuzz/run`, never by `swift test`:
// each target's LLVMFuzzerTestOneInput needs `-sanitize=fuzzer` (which brings libFuzzer's own main).
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links an executable's `main` to `<Target>_main`,
// which a `-parse-as-library` fuzz target does not have. The targets compile in Swift 6 mode all the same.
import PackageDescription

let package = Package(
    name: "discogs-batch-fuzz",
    dependencies: [.package(name: "discogs-batch", path: "..")],
    targets: [
        fuzzTarget("FuzzJob"), fuzzTarget("FuzzResume"), fuzzTarget("FuzzOAuthEncoding"),
    ]
)

func fuzzTarget(_ name: String) -> Target {
    .executableTarget(
        name: name, dependencies: [.product(name: "DiscogsBatch", package: "discogs-batch")],
        swiftSettings: [.unsafeFlags(["-swift-version", "6"])])
}
