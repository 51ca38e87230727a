package dev.strand.protocol;

import dev.strand.protocol.error.BadNameException;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.error.BadVolumeNameException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.NameTooLongException;
import dev.strand.protocol.message.Hello;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The one place that says what a valid name is. Server and clients both check with it. */
public final class Names {
    private static final Pattern VOLUME_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * The order of names in a directory listing: by Unicode code point, which is also the order of their UTF-8
     * bytes. (Java's own String order compares UTF-16 units and differs for characters above U+FFFF.)
     */
    public static final java.util.Comparator<String> ENTRY_ORDER = Names::compareCodePoints;

    private Names() {}

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** A name inside a directory: not empty, not "." or "..", no '/' or NUL, at most 255 UTF-8 bytes. */
    public static String checkEntryName(String name) {
        if (name == null || name.isEmpty()) {
            throw new BadNameException("empty name");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new BadNameException("'" + name + "' is not allowed as a name here");
        }
        if (name.indexOf('/') >= 0) {
            throw new BadNameException("name '" + printable(name) + "' contains '/'");
        }
        if (name.indexOf('\0') >= 0) {
            throw new BadNameException("name '" + printable(name) + "' contains NUL");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > ProtocolLimits.MAX_NAME_BYTES) {
            throw new NameTooLongException("name of " + bytes + " bytes exceeds " + ProtocolLimits.MAX_NAME_BYTES);
        }
        return name;
    }

    /** A volume name: 1-64 of letters, digits, '.', '_', '-', starting with a letter or digit. */
    public static String checkVolumeName(String name) {
        if (name == null || !VOLUME_NAME.matcher(name).matches()) {
            throw new BadVolumeNameException("bad volume name '" + printable(String.valueOf(name))
                    + "': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    /** A symbolic link's target: not empty, no NUL, at most 4095 UTF-8 bytes. */
    public static String checkSymlinkTarget(String target) {
        if (target == null || target.isEmpty()) {
            throw new InvalidArgumentException("empty symbolic link target");
        }
        if (target.indexOf('\0') >= 0) {
            throw new InvalidArgumentException("symbolic link target contains NUL");
        }
        int bytes = target.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > ProtocolLimits.MAX_SYMLINK_BYTES) {
            throw new NameTooLongException("symbolic link target of " + bytes + " bytes exceeds "
                    + ProtocolLimits.MAX_SYMLINK_BYTES);
        }
        return target;
    }

    /**
     * A greeting's text: {@code authMethod} present (docs/protocol.md 4.1), and every text field at most
     * {@link ProtocolLimits#MAX_HELLO_TEXT_BYTES} UTF-8 bytes, since the client id is recorded with every change.
     */
    public static Hello checkHello(Hello hello) {
        if (hello.authMethod() == null) {
            throw new BadRequestException("HELLO without 'authMethod': send \"none\"");
        }
        checkHelloText("clusterId", hello.clusterId());
        checkHelloText("clientName", hello.clientName());
        checkHelloText("clientId", hello.clientId());
        checkHelloText("authMethod", hello.authMethod());
        return hello;
    }

    private static void checkHelloText(String field, String value) {
        int bytes = value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > ProtocolLimits.MAX_HELLO_TEXT_BYTES) {
            throw new BadRequestException("HELLO's '" + field + "' of " + bytes + " bytes exceeds "
                    + ProtocolLimits.MAX_HELLO_TEXT_BYTES);
        }
    }

    /** Permission bits: 0 to 07777. */
    public static int checkMode(int mode) {
        if (mode < 0 || mode > 07777) {
            throw new InvalidArgumentException("mode " + Integer.toOctalString(mode) + " outside 0..7777");
        }
        return mode;
    }

    private static String printable(String s) {
        return s.replace("\0", "\\0");
    }
}
