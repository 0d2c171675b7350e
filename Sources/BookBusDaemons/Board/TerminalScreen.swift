import Foundation

/// A full-screen terminal for the board: the alternate screen with the cursor hidden, standard
/// input unbuffered and unechoed (so `q` arrives alone), redrawn in place at the terminal's current
/// size, and everything put back on ``restore()``.
final class TerminalScreen {
    private var saved = termios()
    private let readsKeys: Bool

    /// The screen, or `nil` when standard output is not a terminal.
    init?() {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        readsKeys = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved) == 0
        if readsKeys {
            var raw = saved
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
            // Reads return at once, with or without a key.
            withUnsafeMutableBytes(of: &raw.c_cc) { cc in
                cc[Int(VMIN)] = 0
                cc[Int(VTIME)] = 0
            }
            tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        }
        write("\u{1B}[?1049h\u{1B}[?25l")
    }

    /// Columns and rows of the terminal now (80 × 24 when it does not say).
    var size: (columns: Int, rows: Int) {
        var window = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0 else { return (80, 24) }
        return (Int(window.ws_col), Int(window.ws_row))
    }

    /// Draws `lines` from the top left, clearing what is left of each line and below.
    func draw(_ lines: [String]) {
        var text = "\u{1B}[H"
        for line in lines.prefix(size.rows) { text += line + "\u{1B}[K\r\n" }
        write(text + "\u{1B}[J")
    }

    /// Whether `q` (or `Q`) was pressed since the last call.
    func quitPressed() -> Bool {
        guard readsKeys else { return false }
        var byte: UInt8 = 0
        var pressed = false
        while read(STDIN_FILENO, &byte, 1) == 1 {
            if byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") { pressed = true }
        }
        return pressed
    }

    func restore() {
        write("\u{1B}[?25h\u{1B}[?1049l")
        if readsKeys { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
