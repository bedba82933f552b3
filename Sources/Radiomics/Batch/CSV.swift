import Foundation

/// A small RFC 4180 CSV reader: quoted fields may hold commas, quotes ("") and line breaks.
public enum CSV {
    /// Rows of fields. Blank lines are skipped. A trailing line without its newline is returned
    /// only when `keepIncompleteLastLine` (a killed writer may have left half a row).
    public static func parse(_ text: String, keepIncompleteLastLine: Bool = true) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var fieldStarted = false
        var it = Array(text.unicodeScalars)[...]
        while let c = it.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if it.first == "\"" { field.unicodeScalars.append("\""); it.removeFirst() } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where !fieldStarted || field.isEmpty:
                inQuotes = true
                fieldStarted = true
            case ",":
                row.append(field); field = ""; fieldStarted = false
            case "\r":
                continue
            case "\n":
                row.append(field); field = ""; fieldStarted = false
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []
            default:
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
        }
        if keepIncompleteLastLine && (fieldStarted || !row.isEmpty) {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
