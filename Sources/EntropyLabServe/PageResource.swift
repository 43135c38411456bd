/// The page, one static HTML file with its CSS and script inline
/// (`Resources/serve.html`), embedded in the binary at build time by
/// SwiftPM (`.embedInCode`): no JavaScript build step, and nothing to find
/// on disk at run time.
enum PageResource {
  static var html: String { String(decoding: PackageResources.serve_html, as: UTF8.self) }
}
