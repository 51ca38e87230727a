package dev.strand.cli;

import picocli.CommandLine;

/** Permission bits in octal, as chmod takes them: 644, 0755, 1777. */
public final class ModeConverter implements CommandLine.ITypeConverter<Integer> {

    public static int parse(String text) {
        if (text == null || !text.matches("[0-7]{1,5}")) {
            throw new IllegalArgumentException("bad mode '" + text + "': use octal digits, e.g. 644 or 0755");
        }
        int mode = Integer.parseInt(text, 8);
        if (mode > 07777) {
            throw new IllegalArgumentException("mode '" + text + "' is above 7777");
        }
        return mode;
    }

    @Override
    public Integer convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
