/* A stand-in for https://cdn.shopify.com/shopifycloud/polaris.js in the tests'
 * local Shopify: it defines no components, so any s-* element stays a plain
 * element with its children; the app must not depend on it to work. */
