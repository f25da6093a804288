package io.asyncruntime.internal.scheduler;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the bytecode length of each method of a compiled class from its class file (JVMS §4:
 * the constant pool for the names, then each method's {@code Code} attribute). For tests that
 * keep hot methods under the JIT's inlining limits; the JDK 17 test runtime has no class-file API.
 */
final class BytecodeSizes {

    private BytecodeSizes() {
    }

    /** Bytecode length by {@code name + descriptor} (e.g. {@code "run(Lx/Y;)V"}) of every method with code. */
    static Map<String, Integer> of(Class<?> type) {
        String file = type.getName().substring(type.getName().lastIndexOf('.') + 1) + ".class";
        try (InputStream raw = type.getResourceAsStream(file)) {
            if (raw == null) {
                throw new IllegalStateException("no class file for " + type.getName());
            }
            return read(new DataInputStream(raw));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Integer> read(DataInputStream in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IllegalStateException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        String[] utf8 = readUtf8Constants(in);
        in.readUnsignedShort(); // access flags
        in.readUnsignedShort(); // this class
        in.readUnsignedShort(); // super class
        skip(in, 2 * in.readUnsignedShort()); // interfaces
        int fields = in.readUnsignedShort();
        for (int i = 0; i < fields; i++) {
            skip(in, 6);
            skipAttributes(in);
        }
        Map<String, Integer> sizes = new HashMap<>();
        int methods = in.readUnsignedShort();
        for (int i = 0; i < methods; i++) {
            in.readUnsignedShort(); // access flags
            String name = utf8[in.readUnsignedShort()];
            String descriptor = utf8[in.readUnsignedShort()];
            int attributes = in.readUnsignedShort();
            for (int a = 0; a < attributes; a++) {
                String attribute = utf8[in.readUnsignedShort()];
                int length = in.readInt();
                if ("Code".equals(attribute)) {
                    in.readUnsignedShort(); // max stack
                    in.readUnsignedShort(); // max locals
                    int codeLength = in.readInt();
                    sizes.put(name + descriptor, codeLength);
                    skip(in, length - 8);
                } else {
                    skip(in, length);
                }
            }
        }
        return sizes;
    }

    /** The constant pool's UTF-8 entries by index (null for the others). */
    private static String[] readUtf8Constants(DataInputStream in) throws IOException {
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7, 8, 16, 19, 20 -> skip(in, 2); // class, string, method type, module, package
                case 15 -> skip(in, 3); // method handle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> skip(in, 4); // int, float, refs, name-and-type, dynamic
                case 5, 6 -> { // long, double: two entries
                    skip(in, 8);
                    i++;
                }
                default -> throw new IllegalStateException("constant pool tag " + tag + " at " + i);
            }
        }
        return utf8;
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int attributes = in.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
            in.readUnsignedShort();
            skip(in, in.readInt());
        }
    }

    private static void skip(DataInputStream in, int bytes) throws IOException {
        in.skipNBytes(bytes);
    }
}
