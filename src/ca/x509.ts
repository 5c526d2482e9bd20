// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect polyfill
// loaded first. Every module imports the library through this file so that order always holds.
import 'reflect-metadata';
export * from '@peculiar/x509';
