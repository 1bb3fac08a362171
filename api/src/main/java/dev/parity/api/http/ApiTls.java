package dev.parity.api.http;

import dev.parity.api.config.ParityConfig;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The API's TLS (README, "Security"): one keystore holds the key and certificate the API serves, and is also what
 * instances of one application trust when they talk to each other (they share the keystore, as they share the token).
 */
public final class ApiTls {
    private ApiTls() {
    }

    /** The context for {@code api.tls}, or null when the API speaks plain HTTP (the keystore was checked when the config was loaded). */
    public static SSLContext forApi(ParityConfig.Api api) {
        if (api.tls() == null) {
            return null;
        }
        try {
            return context(api.tls());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("api.tls.keystore: " + api.tls().keystore() + ": cannot be loaded (" + e.getMessage() + ")", e);
        }
    }

    /** An SSL context serving the keystore's key and trusting its certificates; throws when the keystore cannot be read or has no key. */
    public static SSLContext context(ParityConfig.Tls tls) throws IOException, GeneralSecurityException {
        char[] password = tls.password().toCharArray();
        KeyStore store = KeyStore.getInstance(tls.keystore().toFile(), password); // PKCS12 or JKS, told apart by content
        boolean hasKey = false;
        for (String alias : Collections.list(store.aliases())) {
            hasKey |= store.isKeyEntry(alias);
        }
        if (!hasKey) {
            throw new GeneralSecurityException("the keystore holds no private key");
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}
