package dev.strand.cli;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How the CLI shows modes, types, times and sizes to humans. */
public final class Formats {
    private static final DateTimeFormatter LIST_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    private Formats() {}

    /** As ls -l shows it: type character, then rwx for owner, group, other (with s/S, t/T). */
    public static String modeString(FileType type, int mode) {
        StringBuilder s = new StringBuilder(10);
        s.append(type == FileType.DIRECTORY ? 'd' : type == FileType.SYMLINK ? 'l' : '-');
        s.append(permission(mode, 0400, 'r')).append(permission(mode, 0200, 'w'));
        s.append(execute(mode, 0100, 04000, 's'));
        s.append(permission(mode, 040, 'r')).append(permission(mode, 020, 'w'));
        s.append(execute(mode, 010, 02000, 's'));
        s.append(permission(mode, 04, 'r')).append(permission(mode, 02, 'w'));
        s.append(execute(mode, 01, 01000, 't'));
        return s.toString();
    }

    private static char permission(int mode, int bit, char c) {
        return (mode & bit) != 0 ? c : '-';
    }

    /** x, or the special bit's letter: lower case if executable too, upper case if not. */
    private static char execute(int mode, int executeBit, int specialBit, char special) {
        boolean x = (mode & executeBit) != 0;
        if ((mode & specialBit) != 0) {
            return x ? special : Character.toUpperCase(special);
        }
        return x ? 'x' : '-';
    }

    /** Four octal digits, as chmod takes them: 0644. */
    public static String octal(int mode) {
        return String.format("%04o", mode);
    }

    /** The protocol's name of a type: file, dir, symlink. */
    public static String typeName(FileType type) {
        if (type == null) {
            return "unknown";
        }
        return switch (type) {
            case FILE -> "file";
            case DIRECTORY -> "dir";
            case SYMLINK -> "symlink";
        };
    }

    /** Local time to the minute, as in ls -l --time-style=long-iso. */
    public static String listTime(long millis) {
        return LIST_TIME.format(Instant.ofEpochMilli(millis));
    }

    /** UTC, ISO-8601: for JSON and stat. */
    public static String isoTime(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    public static String fid(Fid fid) {
        return fid == null ? null : fid.volume() + "." + fid.vnode() + "." + fid.unique();
    }

    /** 1536 -> "1.5 KiB". */
    public static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format("%.1f %s", value, units[unit]);
    }
}
