package dev.strand.cli;

import picocli.CommandLine;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as the command line takes them: a number of bytes with an optional binary suffix, as truncate and dd
 * read them: {@code 100}, {@code 512k}, {@code 10m}, {@code 1g}, {@code 1.5g}, {@code 2t} (k = 1024). An
 * optional trailing "b" or "ib" is accepted ({@code 10MB}, {@code 10MiB} are both 10 * 1024 * 1024).
 */
public final class SizeParser implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?");

    /** @throws IllegalArgumentException for anything else, negative numbers and overflows included */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no size given");
        }
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || (m.group(2).isEmpty() && "ib".equals(m.group(3)))) {
            throw new IllegalArgumentException("bad size '" + text + "': use a number with an optional suffix k, m, g or t");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(2).pow(shift));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
        if (bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("size '" + text + "' is not a whole number of bytes");
        }
        return bytes.longValueExact();
    }

    @Override
    public Long convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
