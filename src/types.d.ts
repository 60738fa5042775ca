declare module "*.sql" {
  const text: string;
  export default text;
}
declare module "*.css";
declare module "*.wasm";
declare module "*.js";
declare module "*.mjs";
declare module "*.onnx";
declare module "*.svg";
