/// What `radiomics extract` was asked to do: the values of its arguments and options.
///
/// `Extract` (swift-argument-parser) fills it from the command line, and so does
/// `init?(commandLine:)` below, without the parser. The parser builds each command's argument set
/// by reflection over its property wrappers; in a binary that links Foundation statically, the
/// first lookup of each of those types' protocol conformances scans all of the binary's
/// conformance records. That is about 3 ms of every `extract` process before any file is read,
/// 15 % of a small case (docs/performance.md). So the command lines of a case as scripts write
/// them are read directly, and everything else (help, version, a misspelt option, a value that
/// does not parse, an option given twice) is left to the parser, which answers as it always
/// did. ExtractArgumentsTests checks that both readings agree.
struct ExtractArguments: Equatable {
    var image: String
    var mask: String
    var preset: String?
    var config: String?
    var label: Int?
    var roi: String?
    var series: String?
    var format = "csv"
    var output: String?
    var timings = false
}

// In an extension, so that the struct keeps its memberwise initialiser (with the defaults above).
extension ExtractArguments {
    /// The arguments after the program name, read when they are `extract`, two positional
    /// arguments (image, then mask, anywhere among the options) and options among
    /// `--preset`, `--config`, `--label` (a whole number), `--roi`, `--series`, `--format`,
    /// `--output` / `-o` (each once, its value as the next argument or after `=` for the long
    /// names) and `--timings`. Nil for anything else, and for any argument starting with `-`
    /// where a value or a path is expected: the parser then reads the command line.
    init?(commandLine arguments: [String]) {
        guard arguments.first == "extract" else { return nil }
        var positional: [String] = []
        var given = Set<String>()
        self.init(image: "", mask: "")
        var i = 1
        while i < arguments.count {
            let token = arguments[i]
            i += 1
            guard token.hasPrefix("-") else {
                positional.append(token)
                continue
            }
            var name = token, attached: String?
            if token.hasPrefix("--"), let eq = token.firstIndex(of: "=") {
                name = String(token[..<eq])
                attached = String(token[token.index(after: eq)...])
            }
            // One name per option (-o is --output), each at most once.
            let key = name == "-o" ? "--output" : name
            guard given.insert(key).inserted, !(name == "-o" && attached != nil) else { return nil }
            if key == "--timings" {
                guard attached == nil else { return nil }
                timings = true
                continue
            }
            /// The option's value: after `=`, else the next argument.
            func value() -> String? {
                if let attached { return attached }
                guard i < arguments.count, !arguments[i].hasPrefix("-") else { return nil }
                i += 1
                return arguments[i - 1]
            }
            switch key {
            case "--preset": guard let v = value() else { return nil }; preset = v
            case "--config": guard let v = value() else { return nil }; config = v
            case "--label": guard let v = value().flatMap({ Int($0) }) else { return nil }; label = v
            case "--roi": guard let v = value() else { return nil }; roi = v
            case "--series": guard let v = value() else { return nil }; series = v
            case "--format": guard let v = value() else { return nil }; format = v
            case "--output": guard let v = value() else { return nil }; output = v
            default: return nil
            }
        }
        guard positional.count == 2 else { return nil }
        (image, mask) = (positional[0], positional[1])
    }
}
